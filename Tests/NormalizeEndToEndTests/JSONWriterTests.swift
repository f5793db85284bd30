import Foundation
import Testing

@testable import NormalizeCommand

/// The hand-written JSON string writer against a plain reference escaper, for every length around
/// its word sizes and an escape-needing byte at every position.
@Suite struct JSONWriterTests {
  /// RFC 8259 escaping, one character at a time (the behaviour the fast writer must reproduce).
  func reference(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x22: out += "\\\""
      case 0x5C: out += "\\\\"
      case 0x0A: out += "\\n"
      case 0x0D: out += "\\r"
      case 0x09: out += "\\t"
      case 0..<0x20: out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// `text` written through the string entry point (small strings take their own path) and
  /// through the byte entry point (short byte runs take theirs): both must give `reference`.
  func written(_ text: String) -> String {
    var buffer = OutputBuffer(capacity: 64)
    defer { buffer.release() }
    buffer.appendJSONString(text)
    let viaString = String(decoding: UnsafeBufferPointer(start: buffer.base, count: buffer.count), as: UTF8.self)
    buffer.removeAll()
    // Exactly sized, so that a read past the end is caught by the address sanitizer and shows.
    let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.utf8.count)
    defer { bytes.deallocate() }
    _ = bytes.initialize(from: text.utf8)
    buffer.appendJSONString(bytes: UnsafeBufferPointer(bytes))
    let viaBytes = String(decoding: UnsafeBufferPointer(start: buffer.base, count: buffer.count), as: UTF8.self)
    return viaString == viaBytes ? viaString : "string and bytes differ: \(viaString) / \(viaBytes)"
  }

  @Test func everyLengthAndPositionIsEscapedExactly() throws {
    let specials = ["\"", "\\", "\n", "\r", "\t", "\u{01}", "\u{1F}", "\u{00}"]
    for length in 0...48 {
      // Distinct letters, so that a byte copied to the wrong place shows.
      let plain = String((0..<length).map { Character(Unicode.Scalar(UInt8(0x41 + $0 % 58))) })
      #expect(written(plain) == reference(plain))
      for position in 0..<max(length, 1) where length > 0 {
        for special in specials {
          var characters = Array(plain)
          characters[position] = Character(special)
          let text = String(characters)
          #expect(written(text) == reference(text), "length \(length), \(special.debugDescription) at \(position)")
        }
      }
    }
  }

  @Test func nonASCIIAndMixedTextRoundTrips() throws {
    for text in ["小红书 😆 \"x\"\n", String(repeating: "é", count: 17) + "\u{7F}\u{80}", "a\\b\"c\u{0}d"] {
      #expect(written(text) == reference(text))
      let data = Data(written(text).utf8)
      let decoded = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? String
      #expect(decoded == text)
    }
  }

  @Test func millisecondsHaveMicrosecondResolution() {
    let cases: [(Duration, String)] = [
      (.zero, "0.000"), (.nanoseconds(999), "0.000"), (.microseconds(1), "0.001"), (.microseconds(1_500), "1.500"),
      (.nanoseconds(12_345_678), "12.345"), (.seconds(8), "8000.000"), (.milliseconds(12_345), "12345.000"),
      (.seconds(3_600) + .microseconds(7), "3600000.007"), (.milliseconds(-5), "0.000"),
    ]
    for (duration, expected) in cases {
      var buffer = OutputBuffer(capacity: 64)
      defer { buffer.release() }
      buffer.appendMilliseconds(duration)
      #expect(String(decoding: UnsafeBufferPointer(start: buffer.base, count: buffer.count), as: UTF8.self) == expected)
    }
  }

  /// TSV fields: tabs, line feeds and carriage returns become spaces at every position and length
  /// around the 8-byte word the writer checks at once; other bytes (other controls, non-ASCII)
  /// are kept.
  @Test func tsvFieldsReplaceOnlyTabsAndLineBreaks() {
    func tsv(_ text: String) -> String {
      var buffer = OutputBuffer(capacity: 16)
      defer { buffer.release() }
      buffer.append("<")
      Array(text.utf8).withUnsafeBufferPointer { buffer.appendTSVField(bytes: $0) }
      return String(decoding: UnsafeBufferPointer(start: buffer.base, count: buffer.count), as: UTF8.self)
    }
    for length in 0...24 {
      let plain = String(repeating: "é", count: length / 2) + String(repeating: "b", count: length - length / 2)
      #expect(tsv(plain) == "<" + plain)
      for position in 0..<max(length, 1) where length > 0 {
        for special in ["\t", "\n", "\r", "\u{01}", "\u{1F}"] {
          var characters = Array(plain)
          characters[position] = Character(special)
          let text = String(characters)
          let expected =
            special == "\u{01}" || special == "\u{1F}"
            ? text : String(characters.map { $0 == Character(special) ? " " : $0 })
          #expect(tsv(text) == "<" + expected, "\(length) \(position)")
        }
      }
    }
  }
}
