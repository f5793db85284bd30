import Synchronization

/// A ``ResolutionCache`` kept in memory for the lifetime of the object: nothing survives the
/// process, nothing is shared with other processes.
///
/// Useful when no cache file is wanted (or the persistent store failed to open) but repeated short
/// links within one run should still be resolved only once, and as a test double.
///
/// Thread safety: every method may be called from any thread at any time; access to the entries is
/// serialized by a `Mutex`, held only for a dictionary operation. Nothing here ever throws: the
/// `throws(CacheError)` requirements of ``ResolutionCache`` are satisfied by non-throwing methods.
///
/// Memory grows with the number of distinct keys stored; call ``removeExpired(olderThan:)`` to trim.
public final class InMemoryResolutionCache: ResolutionCache {
  private let entries: Mutex<[String: CachedResolution]>

  /// Creates a cache holding `initial` (empty by default).
  public init(_ initial: [String: CachedResolution] = [:]) {
    entries = Mutex(initial)
  }

  /// The entry for `key`, or nil when there is none. Never throws.
  public func lookup(_ key: String) -> CachedResolution? {
    entries.withLock { $0[key] }
  }

  /// Stores `entry` for `key`, replacing any previous entry. Never throws.
  public func store(_ entry: CachedResolution, for key: String) {
    entries.withLock { $0[key] = entry }
  }

  /// The number of entries currently held.
  public var count: Int {
    entries.withLock { $0.count }
  }

  /// Removes every entry whose ``CachedResolution/storedAt`` is strictly less than `cutoff`
  /// (seconds since 1970-01-01 UTC) and returns how many were removed.
  @discardableResult
  public func removeExpired(olderThan cutoff: Int64) -> Int {
    entries.withLock { entries in
      let before = entries.count
      entries = entries.filter { $0.value.storedAt >= cutoff }
      return before - entries.count
    }
  }
}
