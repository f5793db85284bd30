public import LinkNormalizerCore

extension ErrorCode {
  /// The remote service failed on its side (HTTP 5xx, or a business code saying so).
  public static let upstream: ErrorCode = "upstream"
  /// The remote service refused the call for sending too fast (HTTP 429 or a business code).
  public static let rateLimited: ErrorCode = "rate_limited"
  /// The calling task was cancelled before the call finished.
  public static let cancelled: ErrorCode = "cancelled"
}
