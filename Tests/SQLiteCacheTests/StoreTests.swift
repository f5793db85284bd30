import Dispatch
import Foundation
import LinkNormalizerCore
import LinkNormalizerTestSupport
import SQLiteCache
import Synchronization
import Testing

/// Behaviour both stores share.
@Suite struct StoreTests {
  let resolved = CachedResolution(
    outcome: .resolved, url: "https://www.xiaohongshu.com/explore/abc", resolver: "justoneapi",
    storedAt: 1_717_000_000)
  let notFound = CachedResolution(outcome: .notFound, url: nil, resolver: "http", storedAt: 1_717_000_100)

  @Test(arguments: StoreKind.allCases)
  func roundTripBothOutcomes(kind: StoreKind) throws {
    let directory = try TemporaryDirectory()
    let cache = try kind.make(in: directory)
    #expect(try cache.lookup("xhslink.com/a/1") == nil)
    try cache.store(resolved, for: "xhslink.com/a/1")
    try cache.store(notFound, for: "xhslink.com/a/2")
    #expect(try cache.lookup("xhslink.com/a/1") == resolved)
    #expect(try cache.lookup("xhslink.com/a/2") == notFound)
    #expect(try cache.lookup("xhslink.com/a/2")?.url == nil)
    #expect(try cache.lookup("xhslink.com/a/3") == nil)
  }

  @Test(arguments: StoreKind.allCases)
  func storeReplaces(kind: StoreKind) throws {
    let directory = try TemporaryDirectory()
    let cache = try kind.make(in: directory)
    try cache.store(notFound, for: "k")
    try cache.store(resolved, for: "k")
    #expect(try cache.lookup("k") == resolved)
    try cache.store(notFound, for: "k")
    #expect(try cache.lookup("k") == notFound)
  }

  @Test(arguments: StoreKind.allCases)
  func unusualText(kind: StoreKind) throws {
    let directory = try TemporaryDirectory()
    let cache = try kind.make(in: directory)
    let odd = CachedResolution(
      outcome: .resolved, url: "https://例え.jp/路径?q=\u{0}x&e=🙂", resolver: "", storedAt: -1)
    try cache.store(odd, for: "")
    try cache.store(odd, for: "key with 'quotes'; DROP TABLE resolutions; --")
    #expect(try cache.lookup("") == odd)
    #expect(try cache.lookup("key with 'quotes'; DROP TABLE resolutions; --") == odd)
  }

  /// Eight real threads (not cooperative tasks, of which a 2-core machine has two) storing and
  /// reading back distinct keys, plus one shared key everyone overwrites.
  @Test(arguments: StoreKind.allCases)
  func manyThreads(kind: StoreKind) throws {
    let directory = try TemporaryDirectory()
    let cache = try kind.make(in: directory)
    let threads = 8
    let perThread = 150
    let failures = FailureLog()
    let group = DispatchGroup()
    for thread in 0..<threads {
      group.enter()
      let worker = Thread {
        defer { group.leave() }
        do {
          for index in 0..<perThread {
            let entry = stressEntry(prefix: "t\(thread)", index: index)
            try cache.store(entry, for: "t\(thread)-\(index)")
            try cache.store(entry, for: "shared")
            if try cache.lookup("t\(thread)-\(index)") != entry {
              failures.list.withLock { $0.append("t\(thread)-\(index): read back a different entry") }
            }
            _ = try cache.lookup("shared")
          }
        } catch {
          failures.list.withLock { $0.append("thread \(thread): \(error)") }
        }
      }
      worker.start()
    }
    group.wait()
    #expect(failures.list.withLock { $0 } == [])
    for thread in 0..<threads {
      for index in 0..<perThread {
        #expect(try cache.lookup("t\(thread)-\(index)") == stressEntry(prefix: "t\(thread)", index: index))
      }
    }
    #expect(try cache.lookup("shared") != nil)
  }

  @Test func inMemoryCountAndExpiry() {
    let cache = InMemoryResolutionCache()
    cache.store(resolved, for: "a")  // stored_at 1_717_000_000
    cache.store(notFound, for: "b")  // stored_at 1_717_000_100
    #expect(cache.count == 2)
    #expect(cache.removeExpired(olderThan: 1_717_000_050) == 1)
    #expect(cache.lookup("a") == nil)
    #expect(cache.lookup("b") == notFound)
    #expect(cache.count == 1)
  }

  @Test func sqliteCountAndExpiry() throws {
    let directory = try TemporaryDirectory()
    let cache = try SQLiteResolutionCache(path: directory.file("cache.db"))
    try cache.store(resolved, for: "a")
    try cache.store(notFound, for: "b")
    #expect(try cache.count() == 2)
    #expect(try cache.removeExpired(olderThan: 1_717_000_050) == 1)
    #expect(try cache.lookup("a") == nil)
    #expect(try cache.lookup("b") == notFound)
    #expect(try cache.count() == 1)
    #expect(try cache.removeExpired(olderThan: 0) == 0)
  }
}

/// Messages from worker threads (a class, so escaping closures can share the non-copyable Mutex).
final class FailureLog: Sendable {
  let list = Mutex<[String]>([])
}
