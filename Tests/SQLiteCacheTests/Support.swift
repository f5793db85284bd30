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

  /// The built helper (see ``builtExecutable(_:override:)``); `CACHE_STRESS_PATH` overrides it.
  static func path() throws -> String {
    guard let found = builtExecutable("cache-stress", override: "CACHE_STRESS_PATH") else {
      throw Failure(description: "cache-stress helper not found (run `swift build` first, or set CACHE_STRESS_PATH)")
    }
    return found
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
