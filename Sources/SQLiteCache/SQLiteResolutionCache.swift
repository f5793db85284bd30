public import LinkNormalizerCore
import Synchronization

/// A ``ResolutionCache`` persisted in an SQLite database file, shared safely by several threads
/// and several processes.
///
/// The file holds one table, `resolutions(key TEXT PRIMARY KEY, outcome TEXT NOT NULL, url TEXT,
/// resolver TEXT NOT NULL, stored_at INTEGER NOT NULL)`, where `outcome` is `resolved` or
/// `not_found` and `stored_at` is seconds since 1970-01-01 UTC. `PRAGMA user_version` holds the
/// schema version (currently 1).
///
/// **Threads.** One connection, guarded by a `Mutex`: every call may come from any thread, and
/// calls are serialized (each holds the lock for one prepared-statement step, microseconds when
/// uncontended). The prepared statements are created once and reused.
///
/// **Processes.** The database runs in WAL mode with `synchronous=NORMAL`, so any number of
/// processes may read while one writes. When another process holds the write lock, a call waits
/// (SQLite's busy timeout plus a retry loop with jittered back-off) for up to
/// ``Options/lockTimeout`` before throwing; "database is locked" is not seen under ordinary
/// sharing. Each `store` is its own transaction: concurrent writers of the same key end with one
/// of their entries (last commit wins); entries with distinct keys are all kept. A power loss may
/// lose the last few stores, never the file.
///
/// **Failures.** Every failure is a ``CacheError`` whose message names the path and carries SQLite's
/// message. The caller is expected to report it once and continue without a cache. Opening checks
/// everything it can, so most problems (corrupt file, read-only file or directory, unknown schema
/// version, lock held too long) are reported by the initializer rather than mid-run; a disk that
/// fills up later is reported by ``store(_:for:)``.
///
/// The connection is closed when the object is released.
public final class SQLiteResolutionCache: ResolutionCache {
  /// How the file is opened.
  public struct Options: Sendable {
    /// Whether the cache may be written.
    public enum Access: Sendable {
      /// Create the file (and missing parent directories) if needed; lookups and stores.
      case readWrite
      /// Open an existing cache without ever writing it: lookups only; ``store(_:for:)`` and
      /// ``removeExpired(olderThan:)`` throw. The file must exist and carry the current schema.
      case readOnly
    }

    /// Whether the cache may be written; `.readWrite` by default.
    public var access: Access
    /// How long one call may wait, in total, for a lock held by another connection (another
    /// process, usually) before throwing. 10 seconds by default.
    public var lockTimeout: Duration

    /// Options with the given access (`.readWrite` by default) and lock timeout (10 s).
    public init(access: Access = .readWrite, lockTimeout: Duration = .seconds(10)) {
      self.access = access
      self.lockTimeout = lockTimeout
    }
  }

  /// The database file's path, as given.
  public let path: String
  /// The options the cache was opened with.
  public let options: Options
  private let connection: Mutex<Connection>

  /// Opens the cache at `path`, creating it if needed (in `.readWrite` access).
  ///
  /// Steps, each of which throws ``CacheError`` naming `path` on failure:
  /// 1. `.readWrite` only: missing parent directories are created (`mkdir -p`, mode 0700).
  /// 2. The file is opened (created when missing in `.readWrite`; must exist in `.readOnly`).
  /// 3. `.readWrite` only: a file SQLite can open only for reading (read-only file, or no
  ///    permission to write it) is refused here, not at the first store.
  /// 4. `PRAGMA quick_check` must answer `ok`: a file that is not an SQLite database, or a damaged
  ///    one, is refused. The file is never modified or deleted; the message says to delete it.
  ///    Cost: reads the whole file once (milliseconds for a cache of tens of thousands of entries).
  /// 5. `.readWrite`: WAL mode and `synchronous=NORMAL` are set; the table is created and the
  ///    schema version stamped inside `BEGIN IMMEDIATE`, so a write lock is taken once at open (a
  ///    directory where the WAL file cannot be created fails here). `.readOnly`: the schema version
  ///    must be current.
  /// 6. The lookup (and store) statements are prepared, which checks the table's shape.
  ///
  /// A schema version other than 0 (new file) or the current one is refused, never migrated.
  public init(path: String, options: Options = Options()) throws(CacheError) {
    self.path = path
    self.options = options
    let opened = try Connection.open(
      path: path, readOnly: options.access == .readOnly, lockTimeout: options.lockTimeout)
    connection = Mutex(opened)
  }

  /// The entry stored for `key`, or nil when there is none.
  ///
  /// Expiry is the caller's decision (compare ``CachedResolution/storedAt`` with the clock). A row
  /// whose outcome this build does not know is returned as nil. Throws ``CacheError`` when the
  /// database cannot be read (I/O error, corruption found mid-run, lock held beyond
  /// ``Options/lockTimeout``).
  public func lookup(_ key: String) throws(CacheError) -> CachedResolution? {
    try connection.withLock { (connection) throws(CacheError) -> CachedResolution? in
      try connection.lookup(key)
    }
  }

  /// Stores `entry` for `key` (`INSERT OR REPLACE`: an existing entry is replaced), committed
  /// before returning.
  ///
  /// Throws ``CacheError`` in `.readOnly` access, when the disk is full, or when another process
  /// holds the write lock beyond ``Options/lockTimeout``.
  public func store(_ entry: CachedResolution, for key: String) throws(CacheError) {
    try connection.withLock { (connection) throws(CacheError) in
      try connection.store(entry, for: key)
    }
  }

  /// Deletes every entry whose `stored_at` is strictly less than `cutoff` (seconds since
  /// 1970-01-01 UTC) and returns how many were deleted. Throws like ``store(_:for:)``.
  @discardableResult
  public func removeExpired(olderThan cutoff: Int64) throws(CacheError) -> Int {
    try connection.withLock { (connection) throws(CacheError) -> Int in
      try connection.removeExpired(olderThan: cutoff)
    }
  }

  /// The number of entries in the file (including those other processes have committed). A full
  /// count: cost grows with the size of the table.
  public func count() throws(CacheError) -> Int {
    try connection.withLock { (connection) throws(CacheError) -> Int in
      try connection.count()
    }
  }
}
