import Foundation
import LinkNormalizerCore
import Testing

@Suite struct StringBytesTests {
  /// Every way a string can be stored here — small, literal, native, sliced, bridged through
  /// Foundation, empty, non-ASCII, with NUL bytes — lends exactly its UTF-8 bytes.
  @Test func lendsExactlyTheUTF8BytesOfEveryKindOfString() {
    let long = "https://www.xiaohongshu.com/explore/4c123b1612dd272d1371c171?xsec_token=A%3D"
    var samples: [String] = [
      "", "a", "fifteen bytes!!", "sixteen bytes!!!", long, "小红书", "小红书 https://xhslink.com/a/Ab1 😆",
      "nul\u{0}inside", String(repeating: "é", count: 7), String(repeating: "x", count: 100_000),
    ]
    samples.append(String(long.dropFirst(8)))  // native copy of a slice
    samples.append(String(Substring(long).prefix(15)))  // small from a slice
    samples.append("\(long.count) \(long)")  // interpolation
    samples.append(String(decoding: Array(long.utf8), as: UTF8.self))
    samples.append(NSString(string: long) as String)  // through Foundation
    samples.append(String(format: "%@/%d", long, 7))
    samples.append(long.lowercased())
    for sample in samples {
      let lent = withUTF8Bytes(of: sample) { Array($0) }
      #expect(lent == Array(sample.utf8), "\(sample.prefix(40))")
    }
  }

  @Test func bytesStayValidWhileTheOwnerLives() {
    final class Box { let text = String(repeating: "long enough to be on the heap ", count: 4) }
    let box = Box()
    let count = withUTF8Bytes(of: box.text) { bytes in bytes.filter { $0 == UInt8(ascii: " ") }.count }
    #expect(count == 4 * 7)
  }

  /// Strings of up to 15 bytes are small: their words hold exactly their bytes first; longer
  /// ones are not reported as small.
  @Test func smallStringWordsHoldTheBytes() {
    for text in ["", "a", "note", "xiaohongshu", "xiaohongshu.url", "小红书", "é😆", "sixteen bytes!!!", "小红书小红书"] {
      let count = text.utf8.count
      guard let (first, second, n) = smallStringWords(of: text) else {
        #expect(count > 15, "\(text)")
        continue
      }
      #expect(n == count)
      let bytes = withUnsafeBytes(of: (first.littleEndian, second.littleEndian)) { Array($0.prefix(n)) }
      #expect(bytes == Array(text.utf8), "\(text)")
    }
  }
}
