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

  /// Seconds since the same fixed point, as a `Double` (for progress and benchmark figures).
  @inline(__always)
  public static func seconds() -> Double { Double(now()) / 1e9 }

  /// The time elapsed since `start` (a value from ``now()``).
  @inline(__always)
  public static func since(_ start: UInt64) -> Duration {
    let end = now()
    return .nanoseconds(Int64(bitPattern: end &- start))
  }
}

extension Duration {
  /// The duration in seconds, as a `Double`.
  package var seconds: Double {
    let (s, atto) = components
    return Double(s) + Double(atto) / 1e18
  }

  /// Whole milliseconds (rounded down).
  package var milliseconds: Int64 {
    let (s, atto) = components
    return s * 1_000 + atto / 1_000_000_000_000_000
  }

  /// `0.3 s`, `60 s`: for messages.
  package var shortDescription: String {
    let value = seconds
    if value == value.rounded() { return "\(Int(value)) s" }
    return "\((value * 1000).rounded() / 1000) s"
  }
}
