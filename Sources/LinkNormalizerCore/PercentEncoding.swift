/// Percent-encoding helpers with the exact semantics canonical URLs rely on.
public enum PercentEncoding {
  /// Decodes every valid `%XX` escape exactly once. Invalid escapes (`%ZZ`, a trailing `%`) are
  /// kept as they are; `+` stays `+` (query values are not form-decoded). A result that would not
  /// be valid UTF-8 is returned with the offending escapes left undecoded, so decoding never
  /// invents characters.
  public static func decodeOnce<S: StringProtocol>(_ text: S) -> String {
    let utf8 = text.utf8
    guard utf8.contains(UInt8(ascii: "%")) else { return String(text) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count)
    var i = utf8.startIndex
    while i != utf8.endIndex {
      let c = utf8[i]
      if c == UInt8(ascii: "%") {
        let h1 = utf8.index(after: i)
        if h1 != utf8.endIndex {
          let h2 = utf8.index(after: h1)
          if h2 != utf8.endIndex, let hi = hexValue(utf8[h1]), let lo = hexValue(utf8[h2]) {
            bytes.append(hi << 4 | lo)
            i = utf8.index(after: h2)
            continue
          }
        }
      }
      bytes.append(c)
      i = utf8.index(after: i)
    }
    if let decoded = String(validating: bytes, as: UTF8.self) { return decoded }
    return String(text)
  }

  /// Encodes every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`) as `%XX` with
  /// upper-case hex. Used for query values in canonical URLs, so `decodeOnce` followed by
  /// `encodeComponent` is stable: applying both again returns the same text.
  public static func encodeComponent(_ text: String) -> String {
    var needs = false
    for c in text.utf8 where !isUnreserved(c) {
      needs = true
      break
    }
    guard needs else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count + 8)
    for c in text.utf8 {
      if isUnreserved(c) {
        out.append(c)
      } else {
        out.append(UInt8(ascii: "%"))
        out.append(hexDigits[Int(c >> 4)])
        out.append(hexDigits[Int(c & 0xF)])
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  @inline(__always) static func isUnreserved(_ c: UInt8) -> Bool {
    (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E
      || c == 0x5F || c == 0x7E
  }

  @inline(__always) static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x41...0x46: return c - 0x41 + 10
    case 0x61...0x66: return c - 0x61 + 10
    default: return nil
    }
  }

  private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}
