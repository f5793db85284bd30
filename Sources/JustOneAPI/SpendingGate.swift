import LinkNormalizerCore
import Synchronization

/// Stops a client's calls for good after an answer that says further calls are pointless or would
/// cost money in vain: `auth`, `balance`, `permission`, `quota`. Thread-safe (a mutex); the first
/// such code wins and stays.
final class SpendingGate: Sendable {
  /// The codes that close the gate.
  static let stoppingCodes: Set<ErrorCode> = [.auth, .balance, .permission, .quota]

  private let closedBy = Mutex<ErrorCode?>(nil)

  /// The code that closed the gate, or nil while calls may be made.
  var stoppedAfter: ErrorCode? { closedBy.withLock { $0 } }

  /// Closes the gate when `code` is a stopping code (keeps the first one).
  func record(_ code: ErrorCode) {
    guard Self.stoppingCodes.contains(code) else { return }
    closedBy.withLock { if $0 == nil { $0 = code } }
  }

  /// The skip error for a call refused by the closed gate, or nil when the gate is open.
  func refusal() -> NormalizationError? {
    guard let code = stoppedAfter else { return nil }
    return NormalizationError(code, "Just One API calls stopped after \(code.rawValue) earlier in this run")
  }
}
