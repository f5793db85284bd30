import Foundation
import LinkNormalizerCore
import LinkNormalizerTestSupport
import SQLiteCache
import Testing

/// What the SQLite store does with files: persistence, directories, damage, permissions.
@Suite struct SQLiteFileTests {
  let entry = CachedResolution(
    outcome: .resolved, url: "https://www.xiaohongshu.com/discovery/item/1", resolver: "justoneapi",
    storedAt: 1_717_000_000)

  @Test func persistsAcrossReopen() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("cache.db")
    do {
      let cache = try SQLiteResolutionCache(path: path)
      try cache.store(entry, for: "xhslink.com/a/1")
      try cache.store(CachedResolution(outcome: .notFound, url: nil, resolver: "http", storedAt: 5), for: "gone")
    }  // released: connection closed
    let reopened = try SQLiteResolutionCache(path: path)
    #expect(try reopened.lookup("xhslink.com/a/1") == entry)
    #expect(
      try reopened.lookup("gone") == CachedResolution(outcome: .notFound, url: nil, resolver: "http", storedAt: 5))
    #expect(try reopened.count() == 2)
  }

  @Test func createsMissingParentDirectoriesPrivately() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("x/y/z/cache.db")
    let cache = try SQLiteResolutionCache(path: path)
    try cache.store(entry, for: "k")
    for created in ["x", "x/y", "x/y/z"] {
      let attributes = try FileManager.default.attributesOfItem(atPath: directory.file(created))
      #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o700, "\(created)")
    }
  }

  @Test func parentThatIsAFileIsAnError() throws {
    let directory = try TemporaryDirectory()
    #expect(FileManager.default.createFile(atPath: directory.file("plain"), contents: Data("x".utf8)))
    let error = #expect(throws: CacheError.self) {
      try SQLiteResolutionCache(path: directory.file("plain/cache.db"))
    }
    #expect(error?.message.contains(directory.file("plain/cache.db")) == true)
  }

  @Test func garbageFileIsRefusedAtInitAndLeftAlone() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("cache.db")
    let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
    #expect(FileManager.default.createFile(atPath: path, contents: garbage))
    let error = #expect(throws: CacheError.self) { try SQLiteResolutionCache(path: path) }
    #expect(error?.message.contains(path) == true)
    #expect(error?.message.contains("not a valid cache database") == true)
    #expect(FileManager.default.contents(atPath: path) == garbage)
  }

  /// A real database whose table pages were overwritten: the header is fine, the b-tree is not.
  @Test func damagedPagesAreRefusedAtInit() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("cache.db")
    do {
      let cache = try SQLiteResolutionCache(path: path)
      for index in 0..<300 { try cache.store(stressEntry(prefix: "d", index: index), for: "d-\(index)") }
    }  // closing the last connection checkpoints the WAL into the file and removes it
    var bytes = try #require(FileManager.default.contents(atPath: path))
    try #require(bytes.count > 3 * 4096)
    for offset in 4096..<(3 * 4096) { bytes[offset] = 0xA5 }
    try bytes.write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: CacheError.self) { try SQLiteResolutionCache(path: path) }
    #expect(error?.message.contains(path) == true)
  }

  /// Permission bits do not stop root, so as root the open is tried from a helper process that
  /// first drops to uid/gid 65534 (nobody).
  @Test func readOnlyFileAndDirectoryAreRefusedAtInit() throws {
    let directory = try TemporaryDirectory()
    let folder = directory.file("ro")
    let path = "\(folder)/cache.db"
    do {
      let cache = try SQLiteResolutionCache(path: path)
      try cache.store(entry, for: "k")
    }
    #expect(chmod(path, 0o444) == 0)
    #expect(chmod(folder, 0o555) == 0)
    defer { chmod(folder, 0o755) }

    if geteuid() != 0 {
      let error = #expect(throws: CacheError.self) { try SQLiteResolutionCache(path: path) }
      #expect(error?.message.contains(path) == true)
      return
    }
    // nobody must be able to reach the file: open up the test directory and check its ancestors.
    #expect(chmod(directory.path, 0o755) == 0)
    var ancestor = URL(fileURLWithPath: directory.path).deletingLastPathComponent()
    while ancestor.path != "/" {
      let mode = (try FileManager.default.attributesOfItem(atPath: ancestor.path)[.posixPermissions] as? Int) ?? 0
      guard mode & 0o001 != 0 else {
        // A temporary directory nobody cannot traverse (e.g. TMPDIR under /root): untestable here.
        print("note: skipping the read-only check as nobody: \(ancestor.path) is not traversable")
        return
      }
      ancestor.deleteLastPathComponent()
    }
    let result = try StressHelper.run(["open", path, "--as-nobody"])
    if result.status == 4 {
      print("note: skipping the read-only check as nobody: \(result.stderr)")  // no CAP_SETUID
      return
    }
    #expect(result.status == 3, "\(result.stderr)")
    #expect(result.stderr.contains(path))
    #expect(result.stderr.contains("read-only"))
  }

  @Test func readOnlyAccessServesLookupsAndRefusesWrites() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("cache.db")
    let writer = try SQLiteResolutionCache(path: path)
    try writer.store(entry, for: "k")

    let reader = try SQLiteResolutionCache(path: path, options: .init(access: .readOnly))
    #expect(try reader.lookup("k") == entry)
    #expect(try reader.count() == 1)
    let storeError = #expect(throws: CacheError.self) { try reader.store(entry, for: "other") }
    #expect(storeError?.message.contains(path) == true)
    #expect(throws: CacheError.self) { try reader.removeExpired(olderThan: .max) }
    #expect(try reader.lookup("other") == nil)

    // Writes by another connection are visible to the read-only one.
    try writer.store(entry, for: "later")
    #expect(try reader.lookup("later") == entry)
  }

  @Test func readOnlyAccessNeedsAnExistingCache() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("missing.db")
    let error = #expect(throws: CacheError.self) {
      try SQLiteResolutionCache(path: path, options: .init(access: .readOnly))
    }
    #expect(error?.message.contains(path) == true)
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test func emptyPathIsAnError() {
    #expect(throws: CacheError.self) { try SQLiteResolutionCache(path: "") }
  }
}
