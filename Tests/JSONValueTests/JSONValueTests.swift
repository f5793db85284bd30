import JSONValue
import Testing

@Suite struct JSONValueTests {
  func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONValue.parse(text) }

  func failure(_ text: String) -> JSONParseError? {
    do {
      _ = try parse(text)
      return nil
    } catch {
      return error
    }
  }

  // MARK: Valid documents

  @Test func parsesEveryKindOfValue() throws {
    let value = try parse(
      #" { "a" : [1, -2.5, 3e2, 0, -0, 1E-2, 10000000000000000001], "b": {"c": null, "d": true, "e": false}, "f": "x" } "#
    )
    #expect(value["a"]?.array?.count == 7)
    #expect(value["a"]?[0] == 1)
    #expect(value["a"]?[1]?.double == -2.5)
    #expect(value["a"]?[2]?.int == 300)
    #expect(value["a"]?[5]?.double == 0.01)
    #expect(value["b"]?["c"]?.isNull == true)
    #expect(value["b"]?["d"]?.bool == true)
    #expect(value["b"]?["e"]?.bool == false)
    #expect(value["f"]?.string == "x")
    #expect(value["missing"] == nil)
    #expect(value["a"]?[7] == nil)
    #expect(value["f"]?["x"] == nil)
    // Integers keep their literal text, so big ones are not rounded.
    guard case .number(_, let literal)? = value["a"]?[6] else {
      Issue.record("expected a number")
      return
    }
    #expect(literal == "10000000000000000001")
    #expect(value["a"]?[6]?.int == nil)  // beyond Int
    #expect(try parse("9007199254740993").int == 9_007_199_254_740_993)  // beyond 2^53, exact
    #expect(try parse("1.5").int == nil)
    #expect(try parse("-7").int == -7)
  }

  @Test func scalarsAtTheTopLevel() throws {
    #expect(try parse("null") == .null)
    #expect(try parse(" true ") == true)
    #expect(try parse("\"s\"") == "s")
    #expect(try parse("42") == 42)
    #expect(try parse("[]") == [])
    #expect(try parse("{}") == [:])
  }

  @Test func keepsObjectKeyOrderAndTheFirstDuplicate() throws {
    let value = try parse(#"{"z": 1, "a": 2, "m": 3, "a": 4}"#)
    #expect(value.object?.map(\.key) == ["z", "a", "m"])
    #expect(value["a"] == 2)
    // Many keys: the duplicate check switches to a set, with the same rule.
    let keys = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
    let big = try parse("{\(keys), \"k3\": 99, \"k39\": 99}")
    #expect(big.object?.count == 40)
    #expect(big["k3"] == 3)
    #expect(big["k39"] == 39)
  }

  @Test func decodesEscapes() throws {
    #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
    #expect(try parse(#""\u0041\u00e9\u4E2D""#) == "Aé中")
    #expect(try parse(#""\ud83d\ude00 \uD834\uDD1E""#) == "😀 𝄞")
    #expect(try parse(#""\u0000""#) == "\u{0}")
    #expect(try parse("\"é中😀 raw UTF-8\"") == "é中😀 raw UTF-8")
  }

  @Test func skipsALeadingByteOrderMark() throws {
    #expect(try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])
  }

  @Test func acceptsAnyCollectionOfBytes() throws {
    let bytes = Array(#"{"a": [1, 2]}"#.utf8)
    #expect(try JSONValue.parse(bytes) == ["a": [1, 2]])
    #expect(try JSONValue.parse(bytes[...]) == ["a": [1, 2]])
    #expect(try JSONValue.parse(bytes.lazy.map { $0 }) == ["a": [1, 2]])  // not contiguous
  }

  @Test func describesAsCompactJSON() throws {
    let text = #"{"a":[1,-2.5e3,true,null],"b":"q\"\n\u0001é"}"#
    let value = try parse(text)
    #expect(value.description == text)
    #expect(try parse(value.description) == value)
  }

  // MARK: Errors, with their positions

  struct Bad: Sendable, CustomTestStringConvertible {
    var text: String
    var kind: JSONParseError.Kind
    var line: Int
    var column: Int
    var offset: Int
    var testDescription: String { text.debugDescription }
  }

  static let bad: [Bad] = [
    Bad(text: "", kind: .unexpectedEnd, line: 1, column: 1, offset: 0),
    Bad(text: "   ", kind: .unexpectedEnd, line: 1, column: 4, offset: 3),
    Bad(text: "[1, 2", kind: .unexpectedEnd, line: 1, column: 6, offset: 5),
    Bad(text: "{\"a\": 1", kind: .unexpectedEnd, line: 1, column: 8, offset: 7),
    Bad(text: "\"abc", kind: .unexpectedEnd, line: 1, column: 5, offset: 4),
    Bad(text: "{not json", kind: .unexpectedCharacter, line: 1, column: 2, offset: 1),
    Bad(text: "[1,]", kind: .unexpectedCharacter, line: 1, column: 4, offset: 3),
    Bad(text: "{\"a\": 1,}", kind: .unexpectedCharacter, line: 1, column: 9, offset: 8),
    Bad(text: "{\"a\" 1}", kind: .unexpectedCharacter, line: 1, column: 6, offset: 5),
    Bad(text: "[1 2]", kind: .unexpectedCharacter, line: 1, column: 4, offset: 3),
    Bad(text: "{\n  \"a\": 1\n  \"b\": 2\n}", kind: .unexpectedCharacter, line: 3, column: 3, offset: 13),
    Bad(text: "['x']", kind: .unexpectedCharacter, line: 1, column: 2, offset: 1),
    Bad(text: "// c\n1", kind: .unexpectedCharacter, line: 1, column: 1, offset: 0),
    Bad(text: "[tru]", kind: .invalidLiteral, line: 1, column: 2, offset: 1),
    Bad(text: "nul", kind: .invalidLiteral, line: 1, column: 1, offset: 0),
    Bad(text: "NaN", kind: .unexpectedCharacter, line: 1, column: 1, offset: 0),
    Bad(text: "[01]", kind: .invalidNumber, line: 1, column: 2, offset: 1),
    Bad(text: "-", kind: .invalidNumber, line: 1, column: 2, offset: 1),
    Bad(text: "+1", kind: .unexpectedCharacter, line: 1, column: 1, offset: 0),
    Bad(text: "1.", kind: .invalidNumber, line: 1, column: 3, offset: 2),
    Bad(text: ".5", kind: .unexpectedCharacter, line: 1, column: 1, offset: 0),
    Bad(text: "1e", kind: .invalidNumber, line: 1, column: 3, offset: 2),
    Bad(text: "[1e400]", kind: .invalidNumber, line: 1, column: 2, offset: 1),
    Bad(text: "\"a\\x\"", kind: .invalidEscape, line: 1, column: 3, offset: 2),
    Bad(text: "\"\\u12G4\"", kind: .invalidUnicodeEscape, line: 1, column: 2, offset: 1),
    Bad(text: "\"\\ud83d\"", kind: .invalidUnicodeEscape, line: 1, column: 2, offset: 1),
    Bad(text: "\"\\ud83d\\u0041\"", kind: .invalidUnicodeEscape, line: 1, column: 2, offset: 1),
    Bad(text: "\"\\ude00\"", kind: .invalidUnicodeEscape, line: 1, column: 2, offset: 1),
    Bad(text: "\"a\tb\"", kind: .controlCharacterInString, line: 1, column: 3, offset: 2),
    Bad(text: "\"a\nb\"", kind: .controlCharacterInString, line: 1, column: 3, offset: 2),
    Bad(text: "{} x", kind: .trailingData, line: 1, column: 4, offset: 3),
    Bad(text: "1 2", kind: .trailingData, line: 1, column: 3, offset: 2),
    Bad(text: "\"é\" é", kind: .trailingData, line: 1, column: 5, offset: 5),
  ]

  @Test(arguments: bad)
  func refusesWithKindAndPosition(_ bad: Bad) throws {
    let error = try #require(failure(bad.text))
    #expect(error.kind == bad.kind, "\(error)")
    #expect(error.line == bad.line, "\(error)")
    #expect(error.column == bad.column, "\(error)")
    #expect(error.offset == bad.offset, "\(error)")
    #expect(error.description.hasPrefix("line \(bad.line), column \(bad.column): "))
    #expect(!error.message.isEmpty)
  }

  @Test func refusesInvalidUTF8WithItsOffset() throws {
    let cases: [([UInt8], Int)] = [
      ([0x22, 0x61, 0xFF, 0x22], 2),  // not a lead byte
      ([0x22, 0xC3, 0x22], 2),  // continuation missing (a quote instead)
      ([0x22, 0xC0, 0x80, 0x22], 1),  // overlong
      ([0x22, 0xE0, 0x80, 0x80, 0x22], 2),  // overlong 3-byte
      ([0x22, 0xED, 0xA0, 0x80, 0x22], 2),  // encoded surrogate
      ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2),  // above U+10FFFF
      ([0x22, 0xE4, 0xB8], 3),  // truncated at the end
    ]
    for (bytes, offset) in cases {
      do {
        _ = try JSONValue.parse(bytes)
        Issue.record("\(bytes) should be refused")
      } catch {
        #expect(error.kind == .invalidUTF8, "\(bytes): \(error)")
        #expect(error.offset == offset, "\(bytes): \(error)")
      }
    }
    // Outside strings any non-ASCII byte is simply unexpected.
    #expect(throws: JSONParseError.self) { try JSONValue.parse([0xFF]) }
  }

  @Test func refusesNestingDeeperThanTheLimit() throws {
    let ok = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
    #expect(try parse(ok).array?.count == 1)
    let deep = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
    let error = try #require(failure(deep))
    #expect(error.kind == .tooDeep)
    #expect(error.offset == 128)
    // Far deeper input is refused just as quickly, without exhausting the stack.
    let huge = String(repeating: "{\"a\":", count: 1_000_000)
    #expect(failure(huge)?.kind == .tooDeep)
    #expect((try? JSONValue.parse("[[[1]]]", maximumDepth: 2)) == nil)
    #expect((try? JSONValue.parse("[[1]]", maximumDepth: 2)) != nil)
    #expect((try? JSONValue.parse("1", maximumDepth: 0)) != nil)
  }

  @Test func columnsCountCharactersNotBytes() throws {
    let error = try #require(failure("[\"中文\", x]"))
    #expect(error.column == 8)
    #expect(error.offset == 11)
  }

  // MARK: Robustness

  @Test func randomBytesNeverCrash() throws {
    var generator = SplitMix64(seed: 0x5EED)
    let alphabet = Array(#"{}[]:,"\-+.0123456789eEtrufalsn u/bfnrt"#.utf8) + [0x00, 0x0A, 0xC3, 0xA9, 0xFF, 0xED, 0xF0]
    var parsed = 0
    for round in 0..<20_000 {
      let length = Int(generator.next() % 64)
      let bytes: [UInt8] = (0..<length).map { _ in
        round % 2 == 0
          ? UInt8(truncatingIfNeeded: generator.next()) : alphabet[Int(generator.next() % UInt64(alphabet.count))]
      }
      do {
        let value = try JSONValue.parse(bytes, maximumDepth: 8)
        // Whatever parses prints back to text that parses to the same value.
        #expect(try JSONValue.parse(value.description) == value)
        parsed += 1
      } catch {
        #expect(error.offset >= 0 && error.offset <= bytes.count)
        #expect(error.line >= 1 && error.column >= 1)
      }
    }
    #expect(parsed > 0)
  }

  @Test func mutatedDocumentsNeverCrash() throws {
    var generator = SplitMix64(seed: 42)
    let document = Array(
      #"{"code": 0, "message": "ok", "data": {"redirect_url": "https://x.example/a?b=\u00e9", "n": [1, 2.5e-3, true, null]}}"#
        .utf8)
    for _ in 0..<20_000 {
      var bytes = document
      for _ in 0..<(1 + Int(generator.next() % 4)) {
        let i = Int(generator.next() % UInt64(bytes.count))
        switch generator.next() % 3 {
        case 0: bytes[i] = UInt8(truncatingIfNeeded: generator.next())
        case 1: bytes.remove(at: i)
        default: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: i)
        }
      }
      if let value = try? JSONValue.parse(bytes) {
        #expect(try JSONValue.parse(value.description) == value)
      }
    }
  }
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
