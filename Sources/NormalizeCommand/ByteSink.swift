#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A buffered writer to a file descriptor. Not thread-safe: one owner writes.
///
/// Writes go to an in-memory buffer and reach the descriptor when it passes `flushThreshold`
/// bytes or on ``flush()``. A write that fails with `EPIPE` (the reader went away, as with
/// `normalize … | head`) sets ``isClosed`` and drops further output quietly; other errors set it too.
final class ByteSink {
  private(set) var buffer: [UInt8] = []
  let fd: Int32
  let flushThreshold: Int
  private(set) var isClosed = false
  private(set) var brokenPipe = false

  init(fd: Int32, flushThreshold: Int = 1 << 16) {
    self.fd = fd
    self.flushThreshold = flushThreshold
    buffer.reserveCapacity(flushThreshold + 4096)
  }

  @inline(__always) func append(_ byte: UInt8) { buffer.append(byte) }

  @inline(__always) func append(_ bytes: UnsafeBufferPointer<UInt8>) { buffer.append(contentsOf: bytes) }

  func append(_ string: String) {
    var string = string
    string.withUTF8 { buffer.append(contentsOf: $0) }
  }

  func append(_ string: Substring) {
    var string = string
    string.withUTF8 { buffer.append(contentsOf: $0) }
  }

  func append(_ literal: StaticString) {
    buffer.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
  }

  /// Writes the buffer out when it is larger than the threshold.
  @inline(__always) func flushIfNeeded() {
    if buffer.count >= flushThreshold { flush() }
  }

  /// Writes everything buffered. Retries on `EINTR` and partial writes.
  func flush() {
    defer { buffer.removeAll(keepingCapacity: true) }
    guard !isClosed, !buffer.isEmpty else { return }
    buffer.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n > 0 {
          offset += n
        } else if n < 0 && errno == EINTR {
          continue
        } else {
          if errno == EPIPE { brokenPipe = true }
          isClosed = true
          return
        }
      }
    }
  }
}
