import CSQLite
import LinkNormalizerCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One SQLite connection plus its cached prepared statements.
///
/// Not thread-safe by itself (opened with `SQLITE_OPEN_NOMUTEX`): ``SQLiteResolutionCache`` keeps
/// it inside a `Mutex` and only touches it while holding the lock.
final class Connection {
  /// The schema this build writes and understands (`PRAGMA user_version`).
  static let schemaVersion = 1

  static let createTableSQL = """
    CREATE TABLE IF NOT EXISTS resolutions(
      key TEXT PRIMARY KEY, outcome TEXT NOT NULL, url TEXT, resolver TEXT NOT NULL,
      stored_at INTEGER NOT NULL)
    """
  static let lookupSQL = "SELECT outcome, url, resolver, stored_at FROM resolutions WHERE key = ?1"
  static let storeSQL = """
    INSERT OR REPLACE INTO resolutions(key, outcome, url, resolver, stored_at)
    VALUES (?1, ?2, ?3, ?4, ?5)
    """
  static let removeExpiredSQL = "DELETE FROM resolutions WHERE stored_at < ?1"
  static let countSQL = "SELECT count(*) FROM resolutions"

  let path: String
  let readOnly: Bool
  private let db: OpaquePointer
  private let lockTimeout: Duration
  /// Prepared statements by SQL text, prepared once and reused (reset after every use).
  private var statements: [String: OpaquePointer] = [:]

  private init(db: OpaquePointer, path: String, readOnly: Bool, lockTimeout: Duration) {
    self.db = db
    self.path = path
    self.readOnly = readOnly
    self.lockTimeout = lockTimeout
  }

  deinit {
    for statement in statements.values { sqlite3_finalize(statement) }
    sqlite3_close_v2(db)
  }

  // MARK: Opening

  /// Opens (creating when allowed) and validates the cache at `path`; see
  /// ``SQLiteResolutionCache/init(path:options:)`` for the steps and failure modes.
  static func open(path: String, readOnly: Bool, lockTimeout: Duration) throws(CacheError) -> Connection {
    guard !path.isEmpty else { throw CacheError("cache path is empty") }
    if !readOnly { try Directories.createParents(of: path) }

    var handle: OpaquePointer?
    let flags =
      (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
    let rc = sqlite3_open_v2(path, &handle, flags, nil)
    guard let db = handle else {
      throw CacheError("cache \(path): cannot open: \(String(cString: sqlite3_errstr(rc))) (SQLite code \(rc))")
    }
    // From here on the connection's deinit closes `db`, whatever happens.
    let connection = Connection(db: db, path: path, readOnly: readOnly, lockTimeout: lockTimeout)
    guard rc == SQLITE_OK else { throw connection.error("cannot open", rc) }
    try connection.setUp()
    return connection
  }

  private func setUp() throws(CacheError) {
    let waitMilliseconds = min(lockTimeout, .seconds(5)).milliseconds
    sqlite3_busy_timeout(db, Int32(clamping: waitMilliseconds))

    if !readOnly && sqlite3_db_readonly(db, "main") == 1 {
      throw CacheError(
        "cache \(path): the file is read-only; check the permissions of the file and its directory")
    }

    // Validation before anything else: garbage, a truncated file or a damaged b-tree stops here.
    let check = try rows("PRAGMA quick_check", what: "cannot validate the file")
    guard check == ["ok"] else {
      let report = check.prefix(3).joined(separator: "; ")
      throw CacheError(
        "cache \(path): the file is corrupt (quick_check: \(report)); delete it or choose another path")
    }

    if readOnly {
      let version = try integer("PRAGMA user_version", what: "cannot read the schema version")
      guard version == Self.schemaVersion else { throw schemaVersionError(version) }
    } else {
      // WAL lets readers and one writer from several processes proceed together; NORMAL syncs at
      // checkpoints only (a power loss may drop the last few stores, never corrupt the file).
      _ = try rows("PRAGMA journal_mode=WAL", what: "cannot switch to WAL")
      try execute("PRAGMA synchronous=NORMAL", what: "cannot set synchronous")
      try createSchema()
    }
    // Prepare the hot statements now, so a table of the wrong shape fails here and not later.
    _ = try statement(Self.lookupSQL)
    if !readOnly { _ = try statement(Self.storeSQL) }
  }

  /// Creates the table and stamps the schema version, atomically with respect to other processes
  /// doing the same (`BEGIN IMMEDIATE` takes the write lock first).
  private func createSchema() throws(CacheError) {
    try execute("BEGIN IMMEDIATE", what: "cannot lock the file to create the schema")
    do throws(CacheError) {
      let version = try integer("PRAGMA user_version", what: "cannot read the schema version")
      guard version == 0 || version == Self.schemaVersion else { throw schemaVersionError(version) }
      try execute(Self.createTableSQL, what: "cannot create the table")
      if version == 0 {
        try execute("PRAGMA user_version = \(Self.schemaVersion)", what: "cannot set the schema version")
      }
      try execute("COMMIT", what: "cannot commit the schema")
    } catch {
      _ = retryingWhileBusy { sqlite3_exec(db, "ROLLBACK", nil, nil, nil) }
      throw error
    }
  }

  private func schemaVersionError(_ version: Int) -> CacheError {
    CacheError(
      "cache \(path): schema version \(version), this build understands \(Self.schemaVersion)"
        + (version == 0 ? " (no cache table yet)" : "") + "; delete the file or choose another path")
  }

  // MARK: Operations

  func lookup(_ key: String) throws(CacheError) -> CachedResolution? {
    let statement = try statement(Self.lookupSQL)
    defer { reset(statement) }
    try bind(key, at: 1, in: statement)
    let rc = step(statement)
    switch rc {
    case SQLITE_DONE: return nil
    case SQLITE_ROW:
      // A row this build cannot read (an outcome from a newer build) is treated as a miss.
      guard let outcomeText = text(statement, 0),
        let outcome = CachedResolution.Outcome(rawValue: outcomeText),
        let resolver = text(statement, 2)
      else { return nil }
      return CachedResolution(
        outcome: outcome, url: text(statement, 1), resolver: resolver,
        storedAt: sqlite3_column_int64(statement, 3))
    default: throw error("lookup failed", rc)
    }
  }

  func store(_ entry: CachedResolution, for key: String) throws(CacheError) {
    guard !readOnly else { throw CacheError("cache \(path): opened read-only, cannot store") }
    let statement = try statement(Self.storeSQL)
    defer { reset(statement) }
    try bind(key, at: 1, in: statement)
    try bind(entry.outcome.rawValue, at: 2, in: statement)
    try bind(entry.url, at: 3, in: statement)
    try bind(entry.resolver, at: 4, in: statement)
    try check(sqlite3_bind_int64(statement, 5, entry.storedAt), "cannot bind stored_at")
    let rc = step(statement)
    guard rc == SQLITE_DONE else { throw error("store failed", rc) }
  }

  func removeExpired(olderThan cutoff: Int64) throws(CacheError) -> Int {
    guard !readOnly else { throw CacheError("cache \(path): opened read-only, cannot remove entries") }
    let statement = try statement(Self.removeExpiredSQL)
    defer { reset(statement) }
    try check(sqlite3_bind_int64(statement, 1, cutoff), "cannot bind the cutoff")
    let rc = step(statement)
    guard rc == SQLITE_DONE else { throw error("removing expired entries failed", rc) }
    return Int(sqlite3_changes(db))
  }

  func count() throws(CacheError) -> Int {
    let statement = try statement(Self.countSQL)
    defer { reset(statement) }
    let rc = step(statement)
    guard rc == SQLITE_ROW else { throw error("counting entries failed", rc) }
    return Int(sqlite3_column_int64(statement, 0))
  }

  // MARK: Statements

  /// The cached prepared statement for `sql`, preparing it on first use.
  private func statement(_ sql: String) throws(CacheError) -> OpaquePointer {
    if let cached = statements[sql] { return cached }
    var prepared: OpaquePointer?
    let rc = retryingWhileBusy {
      sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
    }
    guard rc == SQLITE_OK, let prepared else { throw error("cannot prepare a statement", rc) }
    statements[sql] = prepared
    return prepared
  }

  /// Steps `statement` once, retrying from the start while the database is busy or locked.
  private func step(_ statement: OpaquePointer) -> Int32 {
    retryingWhileBusy {
      sqlite3_reset(statement)  // keeps the bindings; a no-op on a fresh statement
      return sqlite3_step(statement)
    }
  }

  private func reset(_ statement: OpaquePointer) {
    sqlite3_reset(statement)
    sqlite3_clear_bindings(statement)
  }

  /// Runs a one-off statement (PRAGMA, BEGIN, DDL) to completion, discarding any rows.
  private func execute(_ sql: String, what: String) throws(CacheError) {
    _ = try rows(sql, what: what)
  }

  private func integer(_ sql: String, what: String) throws(CacheError) -> Int {
    Int(try rows(sql, what: what).first ?? "") ?? 0
  }

  /// Runs a one-off statement and returns the first column of every row as text.
  private func rows(_ sql: String, what: String) throws(CacheError) -> [String] {
    var prepared: OpaquePointer?
    var rc = retryingWhileBusy { sqlite3_prepare_v2(db, sql, -1, &prepared, nil) }
    guard rc == SQLITE_OK, let statement = prepared else { throw error(what, rc) }
    defer { sqlite3_finalize(statement) }
    var result: [String] = []
    // Only the first step may be retried from scratch: once rows have been returned, a retry would
    // repeat them. Later steps of these small statements do not wait for locks.
    rc = step(statement)
    while rc == SQLITE_ROW {
      result.append(text(statement, 0) ?? "")
      rc = sqlite3_step(statement)
    }
    guard rc == SQLITE_DONE else { throw error(what, rc) }
    return result
  }

  // MARK: Binding and reading

  private func bind(_ value: String?, at index: Int32, in statement: OpaquePointer) throws(CacheError) {
    guard var value else {
      try check(sqlite3_bind_null(statement, index), "cannot bind NULL")
      return
    }
    // SQLITE_TRANSIENT: SQLite copies the bytes, so the buffer need not outlive the call.
    let encoding = UInt8(SQLITE_UTF8)
    let rc: Int32
    if value.isEmpty {
      // An empty buffer may have no address, and a NULL pointer would bind SQL NULL.
      rc = sqlite3_bind_text64(statement, index, "", 0, lns_sqlite_transient(), encoding)
    } else {
      rc = value.withUTF8 { utf8 in
        utf8.withMemoryRebound(to: CChar.self) { chars in
          sqlite3_bind_text64(
            statement, index, chars.baseAddress, UInt64(chars.count), lns_sqlite_transient(), encoding)
        }
      }
    }
    try check(rc, "cannot bind text")
  }

  private func text(_ statement: OpaquePointer, _ column: Int32) -> String? {
    guard sqlite3_column_type(statement, column) != SQLITE_NULL,
      let bytes = sqlite3_column_text(statement, column)
    else { return nil }
    let count = Int(sqlite3_column_bytes(statement, column))
    return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
  }

  // MARK: Locks and errors

  /// Calls `attempt` until it returns something other than `SQLITE_BUSY`/`SQLITE_LOCKED` or the
  /// lock timeout has passed, sleeping 1–100 ms (growing, jittered) between attempts.
  ///
  /// SQLite's own busy handler (``setUp()`` sets it) already waits inside most calls; this loop
  /// covers the cases where SQLite returns BUSY without calling it (WAL recovery, a journal-mode
  /// change racing another process's first open, a read snapshot that went stale).
  private func retryingWhileBusy(_ attempt: () -> Int32) -> Int32 {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: lockTimeout)
    var pauseMicroseconds: UInt32 = 1_000
    while true {
      let rc = attempt()
      let primary = rc & 0xff
      guard primary == SQLITE_BUSY || primary == SQLITE_LOCKED, clock.now < deadline else { return rc }
      usleep(pauseMicroseconds + UInt32.random(in: 0...pauseMicroseconds))
      pauseMicroseconds = min(pauseMicroseconds * 2, 50_000)
    }
  }

  private func check(_ rc: Int32, _ what: String) throws(CacheError) {
    guard rc == SQLITE_OK else { throw error(what, rc) }
  }

  /// A ``CacheError`` naming the path, the operation, SQLite's message and code, and a hint.
  private func error(_ what: String, _ rc: Int32) -> CacheError {
    let message = String(cString: sqlite3_errmsg(db))
    var text = "cache \(path): \(what): \(message) (SQLite code \(rc))"
    switch rc & 0xff {
    case SQLITE_NOTADB, SQLITE_CORRUPT:
      text += "; the file is not a valid cache database, delete it or choose another path"
    case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH:
      text += "; check that the file and its directory exist and are writable"
    case SQLITE_BUSY, SQLITE_LOCKED:
      text += "; another process held the database lock for more than \(lockTimeout)"
    case SQLITE_FULL:
      text += "; the disk is full"
    default: break
    }
    return CacheError(text)
  }
}
