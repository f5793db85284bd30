import Testing

@testable import LinkNormalizerCore

/// The word-at-a-time helpers of the pattern handler's writer against byte-by-byte references.
@Suite struct ByteWriterTests {
  func lowered(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

  /// Every byte value at every position of a word, next to varied neighbours: only `A`–`Z` change.
  @Test func lowercasedWordChangesOnlyUpperCaseLetters() {
    for value in 0...255 {
      for position in 0..<8 {
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ value &* 11 &+ 0x3F) }
        bytes[position] = UInt8(value)
        let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        let result = withUnsafeBytes(of: ASCII.lowercased(word)) { Array($0) }
        #expect(result == bytes.map(lowered), "byte \(value) at \(position)")
      }
    }
  }

  @Test func writeLowercasedHandlesEveryLength() {
    let source = Array("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_ÀÉ@[`{".utf8)
    for length in 0...source.count {
      let input = Array(source.prefix(length))
      var output = [UInt8](repeating: 0, count: length)
      let written = output.withUnsafeMutableBufferPointer { out in
        var writer = ByteWriter(out)
        input.withUnsafeBufferPointer { writer.writeLowercased($0) }
        return writer.count
      }
      #expect(written == length)
      #expect(output == input.map(lowered), "\(length)")
    }
  }

  /// RFC 3986 component encoding, one byte at a time: the unreserved set as it is, every other
  /// byte as `%XX` with upper-case hex (the behaviour the word-at-a-time writer must reproduce).
  func referenceEncoded(_ text: String) -> String {
    var out = ""
    for c in text.utf8 {
      let unreserved =
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E
        || c == 0x5F || c == 0x7E
      out += unreserved ? String(UnicodeScalar(c)) : "%" + String(c, radix: 16, uppercase: true).leftPadded()
    }
    return out
  }

  /// The writer's percent-encoding against ``referenceEncoded(_:)`` (after lower-casing when
  /// asked), for every length up to 40 with a byte to encode, an upper-case letter or a non-ASCII
  /// character at every position; ``PercentEncoding/encodeComponent(_:)-(String)`` uses the writer,
  /// so it is checked too.
  @Test func encodedComponentsMatchTheReference() {
    func encoded(_ text: String, lowercase: Bool) -> String {
      let input = Array(text.utf8)
      var output = [UInt8](repeating: 0, count: 3 * input.count)
      let written = output.withUnsafeMutableBufferPointer { out in
        var writer = ByteWriter(out)
        input.withUnsafeBufferPointer { writer.writeEncodedComponent($0, lowercase: lowercase) }
        return writer.count
      }
      return String(decoding: output.prefix(written), as: UTF8.self)
    }
    for length in 0...40 {
      let plain = String((0..<length).map { Character(Unicode.Scalar(UInt8(0x61 + $0 % 26))) })
      var texts = [plain]
      for position in 0..<length {
        for special in ["=", "%", " ", "Q", "é", "~", "/"] {
          var characters = Array(plain)
          characters[position] = Character(special)
          texts.append(String(characters))
        }
      }
      for text in texts {
        #expect(encoded(text, lowercase: false) == referenceEncoded(text), "\(text)")
        #expect(PercentEncoding.encodeComponent(text) == referenceEncoded(text), "\(text)")
        let lowered = String(
          String.UnicodeScalarView(
            text.unicodeScalars.map {
              $0.isASCII
                ? Unicode.Scalar(
                  UInt8($0.value) >= 0x41 && UInt8($0.value) <= 0x5A ? UInt8($0.value) | 0x20 : UInt8($0.value)) : $0
            }))
        #expect(encoded(text, lowercase: true) == referenceEncoded(lowered), "\(text)")
      }
    }
  }
}

extension String {
  /// Two hex digits: a leading zero for values under 0x10.
  fileprivate func leftPadded() -> String { count < 2 ? "0" + self : self }
}
