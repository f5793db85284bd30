import Foundation
import LinkNormalizerTestSupport
import Testing

/// Runs the built `normalize` executable, as a user would.
struct NormalizeBinary {
  struct Run {
    var stdout: String
    var stderr: String
    var status: Int32
    var stdoutLines: [String] {
      var lines = stdout.components(separatedBy: "\n")
      if lines.last == "" { lines.removeLast() }
      return lines
    }
  }

  /// The executable next to the test bundle (both are products of one `swift build`), or
  /// `NORMALIZE_BIN` when set.
  static let path = builtExecutable("normalize", override: "NORMALIZE_BIN") ?? "normalize"

  /// A started `normalize` process with its three pipes.
  struct Started {
    let process: Process
    let input: Pipe
    let output: Pipe
    let errors: Pipe
  }

  /// Starts the binary with fresh pipes, in the test environment (no token, a scratch cache).
  static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Started {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    // Tests never see the developer's token, API URL or cache.
    env["JUSTONEAPI_TOKEN"] = nil
    env["JUSTONEAPI_BASE_URL"] = nil
    env["XDG_CACHE_HOME"] = NormalizeBinary.scratchCacheHome
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let started = Started(process: process, input: Pipe(), output: Pipe(), errors: Pipe())
    process.standardInput = started.input
    process.standardOutput = started.output
    process.standardError = started.errors
    try process.run()
    return started
  }

  static func run(_ arguments: [String], stdin: Data = Data(), environment: [String: String] = [:]) throws -> Run {
    let started = try start(arguments, environment: environment)
    let (process, input, output, errors) = (started.process, started.input, started.output, started.errors)
    // Write stdin and drain both outputs concurrently so large inputs cannot deadlock.
    let writer = Thread {
      input.fileHandleForWriting.write(stdin)
      try? input.fileHandleForWriting.close()
    }
    writer.start()
    let errorBox = DataBox()
    let errorReader = Thread { errorBox.data = errors.fileHandleForReading.readDataToEndOfFile() }
    errorReader.start()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while errorReader.isExecuting || !errorReader.isFinished { usleep(1_000) }
    return Run(
      stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: errorBox.data, as: UTF8.self),
      status: process.terminationStatus)
  }

  static func run(_ arguments: [String], stdin: String, environment: [String: String] = [:]) throws -> Run {
    try run(arguments, stdin: Data(stdin.utf8), environment: environment)
  }

  /// A cache home of the test run's own, so no test touches ~/.cache.
  static let scratchCacheHome: String = {
    let path = NSTemporaryDirectory() + "normalize-tests-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  /// A fresh temporary directory.
  static func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "normalize-test-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }
}

final class DataBox: @unchecked Sendable {
  var data = Data()
}

/// Parses one JSON Lines record.
func jsonObject(_ line: String) throws -> [String: Any] {
  let object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
  return try #require(object as? [String: Any])
}
