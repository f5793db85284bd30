public import LinkNormalizerCore

/// How a remote resolver retries a failed try: how many times, and how long it waits in between.
///
/// The wait before retry *n* (0-based) is `backoffBase × 2ⁿ`, capped at ``maximumBackoff``, then
/// multiplied by a random factor in [0.5, 1] (jitter, so concurrent callers do not retry in
/// lockstep). A server's `Retry-After` takes precedence over the computed wait when present,
/// capped at ``retryAfterCap``. A value type; `Sendable`.
public struct RetryPolicy: Sendable, Hashable {
  /// Further tries after the first (0 = no retries). Negative values count as 0.
  public var retries: Int
  /// The wait before the first retry, before jitter.
  public var backoffBase: Duration
  /// The longest computed wait, before jitter.
  public var maximumBackoff: Duration
  /// The longest wait a `Retry-After` header can impose.
  public var retryAfterCap: Duration

  /// A policy; defaults: 2 retries, 0.5 s base, 8 s maximum backoff, 30 s `Retry-After` cap.
  public init(
    retries: Int = 2, backoffBase: Duration = .milliseconds(500), maximumBackoff: Duration = .seconds(8),
    retryAfterCap: Duration = .seconds(30)
  ) {
    self.retries = max(0, retries)
    self.backoffBase = backoffBase
    self.maximumBackoff = maximumBackoff
    self.retryAfterCap = retryAfterCap
  }

  /// The wait before retry number `retry` (0 for the first retry). `retryAfter` is the server's
  /// `Retry-After`, if any; it wins over the computed backoff (capped, no jitter).
  public func delay(beforeRetry retry: Int, retryAfter: Duration? = nil) -> Duration {
    if let retryAfter { return min(max(retryAfter, .zero), retryAfterCap) }
    let exponent = min(max(retry, 0), 30)
    let raw = backoffBase * (1 << exponent)
    let capped = min(raw, maximumBackoff)
    return capped * Double.random(in: 0.5...1.0)
  }

  /// Parses a `Retry-After` value given in seconds (`"0"`, `"3"`); nil for an absent, negative or
  /// HTTP-date value (then the computed backoff applies).
  public static func retryAfter(_ value: String?) -> Duration? {
    guard let value, let seconds = Int(value.trimmingSpaces), seconds >= 0 else { return nil }
    return .seconds(min(seconds, 86_400))
  }

  /// The step between a failed try (number `retry`, 0-based, begun at `started`, a
  /// ``MonotonicTime`` reading) and the next: throws `error` when it is not retryable or the
  /// retries are used up; otherwise records the try in `context` as a failed attempt of
  /// `handler`, waits ``delay(beforeRetry:retryAfter:)`` and returns, or throws `cancelled()` when
  /// the task is cancelled while it waits.
  public func prepareRetry(
    after error: NormalizationError, retry: Int, retryAfter: Duration?, started: UInt64, handler: String,
    context: inout NormalizationContext, cancelled: () -> NormalizationError
  ) async throws(NormalizationError) {
    guard RetryPolicy.isRetryable(error.code), retry < retries else { throw error }
    context.recordTry(Attempt(handler: handler, outcome: .failed, error: error, duration: MonotonicTime.since(started)))
    guard await RetryPolicy.sleep(delay(beforeRetry: retry, retryAfter: retryAfter)) else { throw cancelled() }
  }

  /// Whether a try that failed with `code` is worth retrying: `timeout`, `network`, `upstream`
  /// and `rate_limited` are; everything else (including `cancelled`) is not.
  public static func isRetryable(_ code: ErrorCode) -> Bool {
    code == .timeout || code == .network || code == .upstream || code == .rateLimited
  }

  /// Sleeps for `duration`; false when the calling task was cancelled (stop retrying).
  public static func sleep(_ duration: Duration) async -> Bool {
    guard duration > .zero else { return !Task.isCancelled }
    do {
      try await Task.sleep(for: duration)
      return true
    } catch {
      return false
    }
  }
}

extension String {
  /// The text without leading and trailing spaces and tabs (HTTP's optional white space).
  var trimmingSpaces: Substring { trimming { $0 == " " || $0 == "\t" } }
}
