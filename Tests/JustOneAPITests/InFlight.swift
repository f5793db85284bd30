import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Tracks how many handler calls run at once, and the most seen.
final class InFlight: Sendable {
  private let state = Mutex((current: 0, maximum: 0))
  func enter() {
    state.withLock {
      $0.current += 1
      $0.maximum = max($0.maximum, $0.current)
    }
  }
  func leave() { state.withLock { $0.current -= 1 } }
  var maximum: Int { state.withLock { $0.maximum } }
}

func usleepMilliseconds(_ milliseconds: Int) { usleep(UInt32(milliseconds * 1_000)) }
