package import LinkNormalizerCore
import Synchronization

/// The one answer a transport call gives its caller. The first outcome offered wins; the caller is
/// resumed exactly once, whether it starts waiting before or after the answer; and what the call
/// registered to stop its work (a deadline timer, a running task) runs when the answer is given.
/// Shared by the transports; thread-safe.
package final class AnswerOnce: Sendable {
  package typealias Outcome = Result<HTTPResponse, NormalizationError>

  private struct State {
    var continuation: CheckedContinuation<Outcome, Never>?
    var outcome: Outcome?
    var stops: [@Sendable () -> Void] = []
  }
  private let state = Mutex(State())
  /// Mirrors `state.outcome != nil` for readers that poll without taking the lock (a transfer
  /// checking whether to stop).
  private let given = Atomic<Bool>(false)

  package init() {}

  /// Whether the answer has been given (lock-free).
  package var isGiven: Bool { given.load(ordering: .acquiring) }

  /// Waits for the answer to a request to `host` that may take `allowed` (ending at `deadline`):
  /// `start` begins the work once the caller is waiting; at the deadline a timer gives
  /// ``timeoutError(host:allowed:)``, and cancelling the waiting task gives `cancelled`. The timer
  /// stops when the answer is given. Both transports wait through this.
  package func wait(
    until deadline: ContinuousClock.Instant, allowed: Duration, host: String, start: () -> Void
  ) async -> Outcome {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
        guard install(continuation) else { return }
        let timer = Task {
          guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
          self.give(.failure(AnswerOnce.timeoutError(host: host, allowed: allowed)))
        }
        onAnswer { timer.cancel() }
        start()
      }
    } onCancel: {
      give(.failure(NormalizationError(.cancelled, "\(host): request cancelled")))
    }
  }

  /// The error of a request to `host` that got no complete answer within `allowed`.
  package static func timeoutError(host: String, allowed: Duration) -> NormalizationError {
    NormalizationError(.timeout, "\(host): no complete answer within \(allowed.shortDescription)")
  }

  /// Stores the waiting caller; false (and the caller resumed at once) when the answer was
  /// already given, e.g. the call was cancelled before it started.
  private func install(_ continuation: CheckedContinuation<Outcome, Never>) -> Bool {
    let early = state.withLock { s -> Outcome? in
      if let outcome = s.outcome { return outcome }
      s.continuation = continuation
      return nil
    }
    guard let early else { return true }
    continuation.resume(returning: early)
    return false
  }

  /// Registers `stop` to run when the answer is given; runs it at once when it already was.
  package func onAnswer(_ stop: @escaping @Sendable () -> Void) {
    let given = state.withLock { s -> Bool in
      if s.outcome != nil { return true }
      s.stops.append(stop)
      return false
    }
    if given { stop() }
  }

  /// Gives `outcome` unless an answer was already given: runs the registered stops and resumes the
  /// caller. Returns whether this call gave the answer.
  @discardableResult
  package func give(_ outcome: Outcome) -> Bool {
    let taken = state.withLock { s -> (CheckedContinuation<Outcome, Never>?, [@Sendable () -> Void])? in
      if s.outcome != nil { return nil }
      s.outcome = outcome
      defer {
        s.continuation = nil
        s.stops = []
      }
      return (s.continuation, s.stops)
    }
    guard let (continuation, stops) = taken else { return false }
    given.store(true, ordering: .releasing)
    for stop in stops { stop() }
    continuation?.resume(returning: outcome)
    return true
  }
}
