#if canImport(Glibc)
  import Glibc
  private let systemRead = Glibc.read
#elseif canImport(Darwin)
  import Darwin
  private let systemRead = Darwin.read
#endif

/// Reads small files whole (rule packs, token files) without Foundation.
public enum FileContents {
  /// Why a file could not be read: the system's text for the error, or that it is over the limit.
  public struct Problem: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(message: String) { description = message }
    init(errno code: Int32) { description = strerror(code).map { String(cString: $0) } ?? "errno \(code)" }
  }

  /// The bytes of the file at `path`, or why it cannot be read. Files larger than `limit` bytes
  /// are refused rather than read, so a wrong path to a huge file costs nothing.
  public static func read(_ path: String, limit: Int) -> Result<[UInt8], Problem> {
    var fd: Int32
    repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
    guard fd >= 0 else { return .failure(Problem(errno: errno)) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        return .failure(Problem(errno: errno))
      }
      if n == 0 { return .success(bytes) }
      guard bytes.count + n <= limit else { return .failure(Problem(message: "larger than \(describe(limit))")) }
      bytes.append(contentsOf: chunk[0..<n])
    }
  }

  private static func describe(_ bytes: Int) -> String {
    bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
  }
}
