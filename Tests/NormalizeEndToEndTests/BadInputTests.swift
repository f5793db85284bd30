import Foundation
import Testing

/// Every kind of bad input gets exactly one record, a correct result or a clear error, and the
/// batch goes on.
@Suite(.serialized) struct BadInputTests {
  static let good = "https://www.xiaohongshu.com/explore/69a8b0b9000000001a02fb14"

  @Test func everyBadLineGetsExactlyOneRecord() throws {
    var lines: [Data] = []
    func add(_ text: String) { lines.append(Data(text.utf8)) }
    add("")
    add("   \t  ")
    add(Self.good)
    var junk: [UInt8] = []
    for i in 0..<200 {
      let byte = UInt8((i * 37 + 11) % 256)
      if byte != 0x0A { junk.append(byte) }
    }
    lines.append(Data(junk))  // binary junk
    lines.append(Data([0x68, 0x74, 0x74, 0x70, 0xFF, 0xFE, 0xC3, 0x28]))  // invalid UTF-8
    lines.append(Data("https://www.xiaohongshu.com/explore/69a8b0b9000000001a02fb14".utf8) + Data([0, 0x41]))  // NUL
    add(String(repeating: "x", count: 1_048_576))  // 1 MB line
    add((0..<2_000).map { "https://h\($0).example/p" }.joined(separator: " ") + " " + Self.good)  // < 64 KiB
    add(Self.good + "#comments")
    add("HTTPS://WWW.XIAOHONGSHU.COM/explore/69a8b0b9000000001a02fb14")
    add(Self.good + ").")
    add(Self.good + "\r")  // CRLF line ending
    var input = Data()
    for line in lines {
      input.append(line)
      input.append(0x0A)
    }
    input.append(Data(Self.good.utf8))  // last line without a newline
    let run = try NormalizeBinary.run(["--format", "jsonl"], stdin: input)
    #expect(run.status == 1)
    let records = try run.stdoutLines.map(jsonObject)
    #expect(records.count == lines.count + 1)
    func code(_ i: Int) -> String? { (records[i]["error"] as? [String: Any])?["code"] as? String }
    func ok(_ i: Int) -> Bool { records[i]["ok"] as? Bool == true }
    #expect(code(0) == "no_link")
    #expect(code(1) == "no_link")
    #expect(ok(2))
    #expect(!ok(3))
    #expect(code(4) == "no_link")
    #expect(ok(5), "a NUL byte ends the link; the link before it is fine")
    #expect(code(6) == "invalid_input")
    #expect((records[6]["input"] as? String)?.utf8.count ?? 0 <= 1_024)
    #expect(ok(7), "the first recognized link among thousands")
    #expect(ok(8))
    #expect(ok(9))
    #expect(ok(10))
    #expect(ok(11))
    #expect(ok(12))
    for i in [2, 5, 7, 8, 9, 10, 11, 12] {
      #expect(records[i]["canonical_url"] as? String == Self.good, "record \(i)")
    }
  }

  @Test func randomBytesNeverCrashAndNeverLoseALine() throws {
    var generator = SystemRandomNumberGenerator()
    var input = Data()
    let count = 2_000
    for _ in 0..<count {
      let length = Int.random(in: 0..<120, using: &generator)
      input.append(
        contentsOf: (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }.filter { $0 != 0x0A })
      input.append(0x0A)
    }
    for format in ["text", "jsonl", "tsv"] {
      let run = try NormalizeBinary.run(["--format", format], stdin: input)
      #expect(run.status == 0 || run.status == 1, "\(format): status \(run.status)")
      #expect(run.stdoutLines.count == count, "\(format)")
    }
  }
}
