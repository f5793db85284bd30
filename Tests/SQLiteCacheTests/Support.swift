import Foundation
import LinkNormalizerCore
import LinkNormalizerTestSupport
import SQLiteCache

/// A fresh directory under the system temporary directory, removed (permissions restored first)
/// when the object is released.
final class TemporaryDirectory {
  let path: String

  init() throws {
    let base = FileManager.default.temporaryDirectory.path
    path = "\(base)/sqlite-cache-tests-\(UInt64.random(in: 0...UInt64.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func file(_ name: String) -> String { "\(path)/\(name)" }

  deinit {
    // Tests may leave read-only directories behind; make everything writable again to delete it.
    if let walker = FileManager.default.enumerator(atPath: path) {
      for case let relative as String in walker { chmod("\(path)/\(relative)", 0o755) }
    }
    try? FileManager.default.removeItem(atPath: path)
  }
}

/// The two stores, for tests that hold for both.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
  case memory, sqlite

  var description: String { rawValue }

  func make(in directory: TemporaryDirectory) throws -> any ResolutionCache {
    switch self {
    case .memory: InMemoryResolutionCache()
    case .sqlite: try SQLiteResolutionCache(path: directory.file("cache.db"))
    }
  }
}

/// Locates and runs the `cache-stress` helper executable.
enum StressHelper {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// The built helper. `swift build --build-tests` and `swift test` build every executable of the
  /// package into the same directory as the test bundle (`.build/<triple>/<config>/`), so it is
  /// looked for next to the running test binary first, then under `.build/{debug,release}` of the
  /// package (found from this file's path). `CACHE_STRESS_PATH` overrides both.
  static func path() throws -> String {
    let fileManager = FileManager.default
    if let explicit = ProcessInfo.processInfo.environment["CACHE_STRESS_PATH"] { return explicit }

    var starts: [String] = [CommandLine.arguments.first ?? ""]
    if let executable = Bundle.main.executablePath { starts.append(executable) }
    if let linuxSelf = try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      starts.append(linuxSelf)
    }
    starts += Bundle.allBundles.map(\.bundlePath).filter { $0.hasSuffix(".xctest") }

    var candidates: [String] = []
    for start in starts where !start.isEmpty {
      // Up to three levels: `<dir>/X.xctest` on Linux, `<dir>/X.xctest/Contents/MacOS/X` on macOS.
      var directory = URL(fileURLWithPath: start).deletingLastPathComponent()
      for _ in 0..<4 {
        candidates.append(directory.appendingPathComponent("cache-stress").path)
        directory.deleteLastPathComponent()
      }
    }
    let packageRoot = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    for configuration in ["debug", "release"] {
      candidates.append(packageRoot.appendingPathComponent(".build/\(configuration)/cache-stress").path)
    }

    if let found = candidates.first(where: { fileManager.isExecutableFile(atPath: $0) }) { return found }
    throw Failure(
      description: "cache-stress helper not found (run `swift build` first, or set CACHE_STRESS_PATH); "
        + "looked at: \(candidates.joined(separator: ", "))")
  }

  /// A started helper process; `wait()` collects its exit status and standard error.
  struct Running {
    let process: Process
    let errors: Pipe

    func wait() -> (status: Int32, stderr: String) {
      // The helper writes at most a line to stderr, well within a pipe's buffer.
      process.waitUntilExit()
      let data = errors.fileHandleForReading.readDataToEndOfFile()
      return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
  }

  static func start(_ arguments: [String]) throws -> Running {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try path())
    process.arguments = arguments
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    return Running(process: process, errors: errors)
  }

  static func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
    try start(arguments).wait()
  }
}
