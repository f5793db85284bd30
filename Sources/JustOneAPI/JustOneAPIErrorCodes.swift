public import LinkNormalizerCore

/// Error codes for Just One API business codes (see ``JustOneAPIClient`` for the full mapping).
/// Timeouts, connection failures, HTTP 5xx and 429 use the shared `timeout`, `network`,
/// `upstream` and `rate_limited` codes.
extension ErrorCode {
  /// Business code 100: the token is invalid or inactive. Stops further calls.
  public static let auth: ErrorCode = "auth"
  /// Business code 303: the daily quota is used up. Stops further calls.
  public static let quota: ErrorCode = "quota"
  /// Business code 400: the service rejected the parameters.
  public static let invalidParams: ErrorCode = "invalid_params"
  /// Business code 600: the token may not use this endpoint. Stops further calls.
  public static let permission: ErrorCode = "permission"
  /// Business code 601: the account balance is insufficient. Stops further calls.
  public static let balance: ErrorCode = "balance"
  /// Any other non-zero business code.
  public static let apiError: ErrorCode = "api_error"
}
