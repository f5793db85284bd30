import Foundation
import LinkNormalizerCore
import LinkNormalizerTestSupport
import SQLiteCache
import Testing

/// Several processes sharing one cache file, the way parallel `normalize` runs would.
@Suite struct MultiProcessTests {
  /// Four `cache-stress` processes start together on a file (and directory) that does not exist
  /// yet, so they race on `mkdir -p`, creation, WAL switch and schema, then on every store.
  @Test(.timeLimit(.minutes(2)))
  func concurrentWritersFromSeveralProcesses() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("shared/cache.db")
    let processes = 4
    let perProcess = 300

    let running = try (0..<processes).map { try StressHelper.start(["write", path, "p\($0)", "\(perProcess)"]) }
    for (index, child) in running.enumerated() {
      let result = child.wait()
      #expect(result.status == 0, "process \(index) failed: \(result.stderr)")
      #expect(!result.stderr.contains("locked"), "process \(index): \(result.stderr)")
    }

    let cache = try SQLiteResolutionCache(path: path)
    #expect(try cache.count() == processes * perProcess)
    for process in 0..<processes {
      for index in 0..<perProcess {
        #expect(try cache.lookup("p\(process)-\(index)") == stressEntry(prefix: "p\(process)", index: index))
      }
    }
  }

  /// Child processes writing while this process reads and writes through its own connection.
  @Test(.timeLimit(.minutes(2)))
  func processesAndThisProcessTogether() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("cache.db")
    let cache = try SQLiteResolutionCache(path: path)
    let running = try (0..<2).map { try StressHelper.start(["write", path, "c\($0)", "200"]) }
    for index in 0..<200 {
      let entry = stressEntry(prefix: "local", index: index)
      try cache.store(entry, for: "local-\(index)")
      #expect(try cache.lookup("local-\(index)") == entry)
    }
    for child in running {
      let result = child.wait()
      #expect(result.status == 0, "\(result.stderr)")
    }
    #expect(try cache.count() == 600)
    #expect(try cache.lookup("c1-199") == stressEntry(prefix: "c1", index: 199))
  }
}
