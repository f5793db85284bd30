import Synchronization

/// An async counting semaphore: at most `limit` holders at once, waiters served in arrival order.
/// Thread-safe. A waiter whose task is cancelled leaves the queue and gets `false`.
final class ConcurrencyLimiter: Sendable {
  private struct State {
    var available: Int
    var nextID: UInt64 = 0
    var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    var cancelledIDs: Set<UInt64> = []
  }

  private let state: Mutex<State>

  init(limit: Int) {
    state = Mutex(State(available: max(1, limit)))
  }

  /// Waits for a slot; true when acquired (call ``release()`` later), false when cancelled.
  func acquire() async -> Bool {
    let id = state.withLock { s -> UInt64 in
      defer { s.nextID += 1 }
      return s.nextID
    }
    return await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        let immediate = state.withLock { s -> Bool? in
          if s.cancelledIDs.remove(id) != nil { return false }
          if s.available > 0 {
            s.available -= 1
            return true
          }
          s.waiters.append((id, continuation))
          return nil
        }
        if let immediate { continuation.resume(returning: immediate) }
      }
    } onCancel: {
      let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
        if let index = s.waiters.firstIndex(where: { $0.id == id }) {
          return s.waiters.remove(at: index).continuation
        }
        s.cancelledIDs.insert(id)
        return nil
      }
      waiter?.resume(returning: false)
    }
  }

  /// Returns a slot: hands it to the oldest waiter, if any.
  func release() {
    let next = state.withLock { s -> CheckedContinuation<Bool, Never>? in
      if s.waiters.isEmpty {
        s.available += 1
        return nil
      }
      return s.waiters.removeFirst().continuation
    }
    next?.resume(returning: true)
  }
}
