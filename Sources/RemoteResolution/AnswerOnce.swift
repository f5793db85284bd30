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

  /// Stores the waiting caller; false (and the caller resumed at once) when the answer was
  /// already given, e.g. the call was cancelled before it started.
  package func install(_ continuation: CheckedContinuation<Outcome, Never>) -> Bool {
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
