public import LinkNormalizerCore
import Synchronization

/// Counts of what a ``JustOneAPIClient`` did, for run statistics. A value snapshot.
public struct JustOneAPIStatistics: Sendable, Hashable {
  /// HTTP requests sent (every try, retries included). Each one may be billed.
  public var requests: Int = 0
  /// Requests answered with code 0 and a redirect URL.
  public var converted: Int = 0
  /// Failed requests by error code (`auth`, `timeout`, `bad_response`, …).
  public var failures: [ErrorCode: Int] = [:]
  /// Calls refused without a request because the client had stopped spending.
  public var stopped: Int = 0

  /// All counts zero.
  public init() {}
}

/// The thread-safe accumulator behind ``JustOneAPIClient/statistics``.
final class StatisticsCounter: Sendable {
  private let value = Mutex(JustOneAPIStatistics())

  var snapshot: JustOneAPIStatistics { value.withLock { $0 } }

  func requestSent() { value.withLock { $0.requests += 1 } }
  func converted() { value.withLock { $0.converted += 1 } }
  func failed(_ code: ErrorCode) { value.withLock { $0.failures[code, default: 0] += 1 } }
  func stopped() { value.withLock { $0.stopped += 1 } }
}
