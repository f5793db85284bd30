/// Percent-encoding helpers with the exact semantics canonical URLs rely on.
public enum PercentEncoding {
  /// Decodes every valid `%XX` escape exactly once. Invalid escapes (`%ZZ`, a trailing `%`) are
  /// kept as they are; `+` stays `+` (query values are not form-decoded). A result that would not
  /// be valid UTF-8 is returned with the offending escapes left undecoded, so decoding never
  /// invents characters.
  public static func decodeOnce<S: StringProtocol>(_ text: S) -> String {
    withUTF8Bytes(of: String(text)) { decodeOnce($0) }
  }

  /// ``decodeOnce(_:)`` over UTF-8 bytes (the same decoder canonical URLs are built with,
  /// ``ByteWriter/writeDecodedOnce(_:)``).
  public static func decodeOnce(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    String(unsafeUninitializedCapacity: bytes.count) { out in
      var writer = ByteWriter(out)
      writer.writeDecodedOnce(bytes)
      return writer.count
    }
  }

  /// Decodes every valid `%XX` of `bytes` into `out` (room for `bytes.count`); returns how many
  /// bytes were written and the OR of them (`>= 0x80` when any is not ASCII).
  @inline(__always)
  static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> (
    count: Int, high: UInt8
  ) {
    var o = 0
    var i = 0
    let n = bytes.count
    var high: UInt8 = 0
    while i < n {
      let c = bytes[i]
      if c == UInt8(ascii: "%"), i + 2 < n, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
        out[o] = hi << 4 | lo
        i += 3
      } else {
        out[o] = c
        i += 1
      }
      high |= out[o]
      o += 1
    }
    return (o, high)
  }

  /// Encodes every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`) as `%XX` with
  /// upper-case hex. Used for query values in canonical URLs, so `decodeOnce` followed by
  /// `encodeComponent` is stable: applying both again returns the same text.
  public static func encodeComponent(_ text: String) -> String {
    withUTF8Bytes(of: text) { encodeComponent($0) } ?? text
  }

  /// ``encodeComponent(_:)`` over UTF-8 bytes; nil when nothing needs encoding (use the input).
  /// The same encoder canonical URLs are built with (``ByteWriter/writeEncodedComponent(_:lowercase:)``).
  public static func encodeComponent(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
    var extra = 0
    for c in bytes where !isUnreserved(c) { extra += 2 }
    guard extra > 0 else { return nil }
    return String(unsafeUninitializedCapacity: bytes.count + extra) { out in
      var writer = ByteWriter(out)
      writer.writeEncodedComponent(bytes, lowercase: false)
      return writer.count
    }
  }

  /// Per byte: 0 reserved, 1 unreserved and not an upper-case letter, 2 an upper-case letter.
  static let unreservedClass = ByteTable { c in (c >= 0x41 && c <= 0x5A) ? 2 : isUnreserved(c) ? 1 : 0 }
  /// Per byte: 1 when a component writes it unchanged (unreserved), else 0.
  static let copied = ByteTable { isUnreserved($0) ? 1 : 0 }
  /// Per byte: 1 when a lower-cased component writes it unchanged (unreserved, not upper-case).
  static let copiedWhenLowering = ByteTable { isUnreserved($0) && !($0 >= 0x41 && $0 <= 0x5A) ? 1 : 0 }

  @inline(__always) static func isUnreserved(_ c: UInt8) -> Bool {
    (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E
      || c == 0x5F || c == 0x7E
  }

  /// The value of hex digit `c` (either case), or nil.
  @inlinable @inline(__always) package static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x41...0x46: return c - 0x41 + 10
    case 0x61...0x66: return c - 0x61 + 10
    default: return nil
    }
  }

  /// The upper-case hex digit for `v` (0–15).
  @inlinable @inline(__always) package static func hexDigit(_ v: UInt8) -> UInt8 {
    v < 10 ? 0x30 + v : 0x41 + v - 10
  }
}

/// A 256-entry byte lookup table in memory that is never freed. Lookups touch no reference count,
/// so the threads of a batch share it without contending (a Swift array is retained on use).
struct ByteTable: @unchecked Sendable {
  private let bytes: UnsafePointer<UInt8>

  init(_ value: (UInt8) -> UInt8) {
    let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    for c in 0..<256 { table[c] = value(UInt8(c)) }
    bytes = UnsafePointer(table)
  }

  @inline(__always) subscript(_ c: UInt8) -> UInt8 { bytes[Int(c)] }
}
