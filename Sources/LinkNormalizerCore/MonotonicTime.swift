#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A monotonic clock read with one `clock_gettime` call (about half the cost of
/// `ContinuousClock.now` on Linux); attempt durations are taken with it.
public enum MonotonicTime {
  /// Nanoseconds since an arbitrary fixed point.
  @inline(__always)
  public static func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
  }

  /// The time elapsed since `start` (a value from ``now()``).
  @inline(__always)
  public static func since(_ start: UInt64) -> Duration {
    let end = now()
    return .nanoseconds(Int64(bitPattern: end &- start))
  }
}
