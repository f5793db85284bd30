#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// ASCII case folding of one byte or of 8 bytes at once. Only `A`–`Z` change: other bytes,
/// non-ASCII ones included, stay as they are (Unicode case mapping would be slower and wrong for
/// hosts and ids, which are ASCII).
enum ASCII {
  @inline(__always) static func lowercased(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

  /// The 8 bytes of `word` lower-cased. (Each byte's low 7 bits plus an offset set its high bit
  /// from `A` on and again past `Z`, without carrying into the next byte.)
  @inline(__always) static func lowercased(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let low = word & (ones &* 0x7F)
    let fromA = low &+ ones &* (0x80 - 0x41)
    let pastZ = low &+ ones &* (0x80 - 0x5B)
    let upper = (fromA ^ pastZ) & ~word & (ones &* 0x80)
    return word | (upper >> 2)
  }

  /// `bytes` as a string with ASCII upper-case letters lower-cased.
  static func lowercasedString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    String(unsafeUninitializedCapacity: bytes.count) { out in
      var writer = ByteWriter(out)
      writer.writeLowercased(bytes)
      return writer.count
    }
  }
}

/// Writes bytes into a fixed buffer sized in advance (no growth, no per-byte checks beyond
/// debug builds).
struct ByteWriter {
  let buffer: UnsafeMutableBufferPointer<UInt8>
  private(set) var count = 0
  /// The encoding tables, read once per writer rather than once per component (each read of a
  /// static is a call that checks its lazy initialization).
  private let copied = PercentEncoding.copied
  private let copiedWhenLowering = PercentEncoding.copiedWhenLowering
  private let classes = PercentEncoding.unreservedClass

  init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

  @inline(__always) mutating func write(_ byte: UInt8) {
    buffer[count] = byte
    count += 1
  }

  @inline(__always) mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
    (buffer.baseAddress! + count).update(from: source, count: bytes.count)
    count += bytes.count
  }

  /// Moves the write position by `offset` bytes (back, to drop what was written; or forward,
  /// leaving bytes to be filled in later).
  @inline(__always) mutating func skip(_ offset: Int) { count += offset }

  /// Writes `bytes` with ASCII upper-case letters lower-cased, 8 bytes per step.
  @inline(__always) mutating func writeLowercased(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
    let out = UnsafeMutableRawPointer(buffer.baseAddress! + count)
    let raw = UnsafeRawPointer(source)
    let n = bytes.count
    var i = 0
    while i + 8 <= n {
      out.storeBytes(
        of: ASCII.lowercased(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)), toByteOffset: i, as: UInt64.self)
      i += 8
    }
    while i < n {
      out.storeBytes(of: ASCII.lowercased(source[i]), toByteOffset: i, as: UInt8.self)
      i += 1
    }
    count += n
  }

  /// Writes `bytes` percent-decoded once, as ``PercentEncoding/decodeOnce(_:)-(UnsafeBufferPointer<UInt8>)``
  /// decodes: when decoding yields bytes that are not valid UTF-8, `bytes` are written as they
  /// are (they are valid UTF-8: they come from a string). Room for `bytes.count`.
  @inline(__always) mutating func writeDecodedOnce(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let source = bytes.baseAddress, let percent = memchr(source, 0x25, bytes.count) else {
      write(bytes)
      return
    }
    // Up to the first `%` the bytes are copied as they are; only the rest is decoded. (The copied
    // part ends before an ASCII byte, so it is whole UTF-8 on its own.)
    let plain = source.distance(to: percent.assumingMemoryBound(to: UInt8.self))
    write(UnsafeBufferPointer(start: source, count: plain))
    let rest = UnsafeBufferPointer(rebasing: bytes[plain...])
    let out = buffer.baseAddress! + count
    let (written, high) = PercentEncoding.decode(rest, into: out)
    if high >= 0x80, String(validating: UnsafeBufferPointer(start: out, count: written), as: UTF8.self) == nil {
      write(rest)
    } else {
      count += written
    }
  }

  /// Writes `bytes` percent-encoded as by ``PercentEncoding/encodeComponent(_:)-(String)``.
  /// With `lowercase`, ASCII upper-case letters are lower-cased first.
  @inline(__always) mutating func writeEncodedComponent(_ bytes: UnsafeBufferPointer<UInt8>, lowercase: Bool) {
    guard let source = bytes.baseAddress else { return }
    let out = buffer.baseAddress!
    var o = count
    var i = 0
    let n = bytes.count
    let copied = lowercase ? copiedWhenLowering : copied
    // 8 bytes per step while every byte is copied as it is (unreserved, and not upper-case when
    // lower-casing); otherwise the next 8 bytes (or the last few) one by one, then words again.
    // Offsets stay far below `Int.max` (the buffer is sized in advance): wrapping arithmetic.
    while i < n {
      if i &+ 8 <= n {
        let all =
          copied[source[i]] & copied[source[i &+ 1]] & copied[source[i &+ 2]] & copied[source[i &+ 3]]
          & copied[source[i &+ 4]] & copied[source[i &+ 5]] & copied[source[i &+ 6]] & copied[source[i &+ 7]]
        if all != 0 {
          UnsafeMutableRawPointer(out + o).storeBytes(
            of: UnsafeRawPointer(source + i).loadUnaligned(as: UInt64.self), as: UInt64.self)
          o &+= 8
          i &+= 8
          continue
        }
      }
      let stop = Swift.min(i &+ 8, n)
      while i < stop {
        let c = source[i]
        switch classes[c] {
        case 1:
          out[o] = c
          o &+= 1
        case 2:
          out[o] = lowercase ? c | 0x20 : c
          o &+= 1
        default:
          out[o] = UInt8(ascii: "%")
          out[o &+ 1] = PercentEncoding.hexDigit(c >> 4)
          out[o &+ 2] = PercentEncoding.hexDigit(c & 0xF)
          o &+= 3
        }
        i &+= 1
      }
    }
    count = o
  }
}
