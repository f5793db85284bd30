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
        let result = withUnsafeBytes(of: ByteWriter.lowercased(word)) { Array($0) }
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
}
