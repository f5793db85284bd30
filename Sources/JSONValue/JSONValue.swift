/// A JSON document as a tree of values, from a small strict RFC 8259 parser with no Foundation.
///
/// - Objects keep their members in document order. When a key occurs more than once in one
///   object, the **first** occurrence is kept and later ones are dropped (the same rule as
///   ``subscript(_:)-(String)`` and `HTTPHeaders`), so a value can never be replaced by a key
///   repeated further down the text.
/// - Numbers keep both their `Double` value and their literal text, so integers beyond 2^53 (ids)
///   can be read exactly with ``int`` or from the literal.
///
/// A `Sendable` value: safe to share between threads.
public enum JSONValue: Sendable {
  case null
  case bool(Bool)
  /// A number: its value (never NaN or infinite), and its literal text exactly as written (e.g.
  /// `-12`, `1.50`, `2e3`).
  case number(Double, literal: String)
  case string(String)
  case array([JSONValue])
  /// An object's members in document order, duplicate keys removed (the first one is kept).
  case object([(key: String, value: JSONValue)])

  // MARK: Convenience accessors

  /// The value of the first member named `key` when this is an object; nil otherwise or when
  /// absent. (A member whose value is JSON `null` gives ``null``, not nil.)
  public subscript(_ key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// The element at `index` when this is an array and the index is in range; nil otherwise.
  public subscript(_ index: Int) -> JSONValue? {
    guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
    return elements[index]
  }

  /// The text of a string; nil for any other kind of value.
  public var string: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  /// The value of a boolean; nil for any other kind of value.
  public var bool: Bool? {
    if case .bool(let flag) = self { return flag }
    return nil
  }

  /// The value of a number; nil for any other kind of value.
  public var double: Double? {
    if case .number(let value, _) = self { return value }
    return nil
  }

  /// The exact integer value of a number: an integer literal that fits in `Int` (read from the
  /// literal, so no precision is lost), or a fraction/exponent literal whose value is a whole
  /// number of magnitude below 2^53 (e.g. `1.0`, `2e3`). Nil otherwise, and for non-numbers.
  public var int: Int? {
    guard case .number(let value, let literal) = self else { return nil }
    if !literal.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
    {
      return Int(literal)
    }
    guard value == value.rounded(), abs(value) < 9_007_199_254_740_992 else { return nil }
    return Int(value)
  }

  /// The elements of an array; nil for any other kind of value.
  public var array: [JSONValue]? {
    if case .array(let elements) = self { return elements }
    return nil
  }

  /// The members of an object, in document order; nil for any other kind of value.
  public var object: [(key: String, value: JSONValue)]? {
    if case .object(let members) = self { return members }
    return nil
  }

  /// Whether this is JSON `null`.
  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  // MARK: Parsing

  /// The deepest nesting of arrays and objects ``parse(_:maximumDepth:)`` accepts by default.
  public static let defaultMaximumDepth = 128

  /// Parses one complete JSON text (RFC 8259): any value at the top level, surrounded by optional
  /// whitespace (a leading UTF-8 byte order mark is skipped), nothing after it.
  ///
  /// Strict: no comments, no trailing commas, no single quotes, no leading zeros or `+`, no `NaN`
  /// or numbers that overflow a `Double`, no raw control characters in strings, no invalid UTF-8,
  /// no unpaired UTF-16 surrogates in `\u` escapes. Arrays and objects may nest at most
  /// `maximumDepth` levels (default 128), so no input can exhaust the stack.
  ///
  /// Runs in time linear in the input; thread-safe (no shared state).
  /// - Throws: ``JSONParseError`` with the kind of problem and its position.
  public static func parse(_ bytes: some Collection<UInt8>, maximumDepth: Int = defaultMaximumDepth)
    throws(JSONParseError) -> JSONValue
  {
    let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
      Result { () throws(JSONParseError) in try parse(buffer, maximumDepth: maximumDepth) }
    }
    if let result { return try result.get() }
    let copy = Array(bytes)
    return try copy.withUnsafeBufferPointer { buffer in
      Result { () throws(JSONParseError) in try parse(buffer, maximumDepth: maximumDepth) }
    }.get()
  }

  /// Parses the UTF-8 text `text`; see ``parse(_:maximumDepth:)``.
  public static func parse(_ text: String, maximumDepth: Int = defaultMaximumDepth) throws(JSONParseError) -> JSONValue
  {
    try parse(text.utf8, maximumDepth: maximumDepth)
  }

  private static func parse(_ buffer: UnsafeBufferPointer<UInt8>, maximumDepth: Int) throws(JSONParseError)
    -> JSONValue
  {
    var parser = Parser(bytes: buffer, maximumDepth: max(0, maximumDepth))
    return try parser.document()
  }
}

extension JSONValue: Equatable {
  /// Structural equality: numbers compare by value (`1.0 == 1`), objects by their members in
  /// order.
  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.number(let a, _), .number(let b, _)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
  public init(nilLiteral: ()) { self = .null }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(integerLiteral value: Int) { self = .number(Double(value), literal: String(value)) }
  public init(floatLiteral value: Double) { self = .number(value, literal: String(value)) }
  public init(stringLiteral value: String) { self = .string(value) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// An object with the members in the order written (a repeated key keeps its first value).
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    var members: [(key: String, value: JSONValue)] = []
    for (key, value) in elements where !members.contains(where: { $0.key == key }) { members.append((key, value)) }
    self = .object(members)
  }
}

extension JSONValue: CustomStringConvertible {
  /// Compact JSON text for the value (numbers as their literal; strings escaped minimally).
  public var description: String {
    var out = ""
    write(to: &out)
    return out
  }

  private func write(to out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let flag): out += flag ? "true" : "false"
    case .number(_, let literal): out += literal
    case .string(let text): Self.writeString(text, to: &out)
    case .array(let elements):
      out += "["
      for (i, element) in elements.enumerated() {
        if i > 0 { out += "," }
        element.write(to: &out)
      }
      out += "]"
    case .object(let members):
      out += "{"
      for (i, member) in members.enumerated() {
        if i > 0 { out += "," }
        Self.writeString(member.key, to: &out)
        out += ":"
        member.value.write(to: &out)
      }
      out += "}"
    }
  }

  private static func writeString(_ text: String, to out: inout String) {
    out += "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16, uppercase: true)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}

/// Why a text is not valid JSON, and where: ``offset`` (bytes from the start, 0-based), ``line``
/// and ``column`` (1-based; the column counts Unicode scalars from the start of the line, and
/// lines end at `\n`).
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kinds of problem.
  public enum Kind: Sendable, Hashable {
    /// The text ended inside a value (or was empty).
    case unexpectedEnd
    /// A byte that cannot start or continue what was expected here (e.g. a missing `,` or `:`).
    case unexpectedCharacter
    /// A misspelt `true`, `false` or `null`.
    case invalidLiteral
    /// A number that breaks the grammar (leading zero, `+`, missing digits) or overflows a `Double`.
    case invalidNumber
    /// A backslash followed by something other than `"\/bfnrtu`.
    case invalidEscape
    /// A `\u` escape with bad hex digits, or an unpaired UTF-16 surrogate.
    case invalidUnicodeEscape
    /// A raw control character (U+0000–U+001F) inside a string.
    case controlCharacterInString
    /// A string containing bytes that are not valid UTF-8.
    case invalidUTF8
    /// Arrays and objects nested deeper than the limit.
    case tooDeep
    /// Something other than whitespace after the complete value.
    case trailingData
  }

  /// What is wrong.
  public var kind: Kind
  /// A short English explanation, e.g. `expected ',' or '}' after an object member`.
  public var message: String
  /// The byte offset of the problem, 0-based.
  public var offset: Int
  /// The line of the problem, 1-based.
  public var line: Int
  /// The column of the problem in Unicode scalars, 1-based.
  public var column: Int

  public init(kind: Kind, message: String, offset: Int, line: Int, column: Int) {
    self.kind = kind
    self.message = message
    self.offset = offset
    self.line = line
    self.column = column
  }

  /// `line 3, column 7: expected ':' after an object key`.
  public var description: String { "line \(line), column \(column): \(message)" }
}

/// The recursive-descent parser over a byte buffer.
private struct Parser {
  let bytes: UnsafeBufferPointer<UInt8>
  let maximumDepth: Int
  var i = 0
  var depth = 0

  init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
    self.bytes = bytes
    self.maximumDepth = maximumDepth
  }

  // MARK: Errors

  func fail(_ kind: JSONParseError.Kind, _ message: String, at offset: Int? = nil) -> JSONParseError {
    let offset = min(offset ?? i, bytes.count)
    var line = 1
    var column = 1
    for k in 0..<offset {
      let c = bytes[k]
      if c == 0x0A {
        line += 1
        column = 1
      } else if c & 0xC0 != 0x80 {
        column += 1
      }
    }
    return JSONParseError(kind: kind, message: message, offset: offset, line: line, column: column)
  }

  /// An error for the byte at the current position, or for the end of the text.
  func unexpected(_ expectation: String) -> JSONParseError {
    guard i < bytes.count else { return fail(.unexpectedEnd, "unexpected end of text: \(expectation)") }
    return fail(.unexpectedCharacter, "\(Self.describe(bytes[i])): \(expectation)")
  }

  static func describe(_ c: UInt8) -> String {
    switch c {
    case 0x20...0x7E: return "unexpected '\(Character(Unicode.Scalar(c)))'"
    default:
      let hex = String(c, radix: 16, uppercase: true)
      return "unexpected byte 0x\(hex.count == 1 ? "0" + hex : hex)"
    }
  }

  // MARK: Grammar

  mutating func document() throws(JSONParseError) -> JSONValue {
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
    skipWhitespace()
    let value = try self.value()
    skipWhitespace()
    guard i == bytes.count else {
      throw fail(.trailingData, "\(Self.describe(bytes[i])) after the end of the JSON value")
    }
    return value
  }

  @inline(__always) mutating func skipWhitespace() {
    while i < bytes.count {
      switch bytes[i] {
      case 0x20, 0x09, 0x0A, 0x0D: i += 1
      default: return
      }
    }
  }

  mutating func value() throws(JSONParseError) -> JSONValue {
    guard i < bytes.count else { throw unexpected("expected a value") }
    switch bytes[i] {
    case UInt8(ascii: "{"): return try object()
    case UInt8(ascii: "["): return try array()
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try literal("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return try number()
    default:
      throw unexpected("expected a value")
    }
  }

  mutating func literal(_ word: StaticString) throws(JSONParseError) {
    let start = i
    let count = word.utf8CodeUnitCount
    let matches = word.withUTF8Buffer { expected in
      i + count <= bytes.count && (0..<count).allSatisfy { bytes[i + $0] == expected[$0] }
    }
    guard matches else { throw fail(.invalidLiteral, "invalid literal (expected '\(word)')", at: start) }
    i += count
  }

  mutating func enter() throws(JSONParseError) {
    guard depth < maximumDepth else {
      throw fail(.tooDeep, "arrays and objects nested deeper than \(maximumDepth) levels")
    }
    depth += 1
  }

  mutating func array() throws(JSONParseError) -> JSONValue {
    try enter()
    i += 1  // [
    var elements: [JSONValue] = []
    skipWhitespace()
    if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
      i += 1
      depth -= 1
      return .array(elements)
    }
    while true {
      skipWhitespace()
      elements.append(try value())
      skipWhitespace()
      guard i < bytes.count else { throw unexpected("expected ',' or ']' in an array") }
      if bytes[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      guard bytes[i] == UInt8(ascii: "]") else { throw unexpected("expected ',' or ']' in an array") }
      i += 1
      depth -= 1
      return .array(elements)
    }
  }

  mutating func object() throws(JSONParseError) -> JSONValue {
    try enter()
    i += 1  // {
    var members: [(key: String, value: JSONValue)] = []
    var keys: Set<String>? = nil  // built once the object is large enough for linear checks to cost
    skipWhitespace()
    if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
      i += 1
      depth -= 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw unexpected("expected a string key") }
      let key = try string()
      skipWhitespace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw unexpected("expected ':' after an object key") }
      i += 1
      skipWhitespace()
      let value = try self.value()
      // Duplicate keys: the first occurrence wins.
      let duplicate: Bool
      if keys != nil {
        // In place: binding the set to a local would copy it on every insert (quadratic).
        duplicate = !keys!.insert(key).inserted
      } else {
        duplicate = members.contains { $0.key == key }
        if members.count >= 16 { keys = Set(members.map(\.key)).union([key]) }
      }
      if !duplicate { members.append((key, value)) }
      skipWhitespace()
      guard i < bytes.count else { throw unexpected("expected ',' or '}' in an object") }
      if bytes[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      guard bytes[i] == UInt8(ascii: "}") else { throw unexpected("expected ',' or '}' in an object") }
      i += 1
      depth -= 1
      return .object(members)
    }
  }

  mutating func number() throws(JSONParseError) -> JSONValue {
    let start = i
    func isDigit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 }
    if bytes[i] == UInt8(ascii: "-") { i += 1 }
    guard isDigit(i) else { throw fail(.invalidNumber, "invalid number: expected a digit") }
    if bytes[i] == UInt8(ascii: "0") {
      i += 1
      if isDigit(i) { throw fail(.invalidNumber, "invalid number: leading zero", at: i - 1) }
    } else {
      while isDigit(i) { i += 1 }
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
      i += 1
      guard isDigit(i) else { throw fail(.invalidNumber, "invalid number: expected a digit after '.'") }
      while isDigit(i) { i += 1 }
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
      guard isDigit(i) else { throw fail(.invalidNumber, "invalid number: expected a digit in the exponent") }
      while isDigit(i) { i += 1 }
    }
    let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    guard let value = Double(literal), value.isFinite else {
      throw fail(.invalidNumber, "number out of range: \(literal.prefix(40))", at: start)
    }
    return .number(value, literal: literal)
  }

  /// Reads a string starting at its opening quote; leaves `i` after the closing quote.
  mutating func string() throws(JSONParseError) -> String {
    i += 1  // "
    let start = i
    // Fast path: no escapes, ASCII only.
    while i < bytes.count {
      let c = bytes[i]
      if c == UInt8(ascii: "\"") {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        i += 1
        return text
      }
      if c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { break }
      i += 1
    }
    var out: [UInt8] = Array(bytes[start..<i])
    while true {
      guard i < bytes.count else { throw fail(.unexpectedEnd, "unexpected end of text inside a string") }
      let c = bytes[i]
      switch c {
      case UInt8(ascii: "\""):
        i += 1
        return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        try escape(into: &out)
      case 0..<0x20:
        throw fail(
          .controlCharacterInString,
          "control character U+00\(c < 0x10 ? "0" : "")\(String(c, radix: 16, uppercase: true)) in a string (escape it)"
        )
      case 0x80...:
        let length = try utf8Sequence()
        out.append(contentsOf: bytes[i..<(i + length)])
        i += length
      default:
        out.append(c)
        i += 1
      }
    }
  }

  /// The length of the valid UTF-8 sequence starting at `i` (a non-ASCII lead byte).
  func utf8Sequence() throws(JSONParseError) -> Int {
    let lead = bytes[i]
    let length: Int
    var low: UInt8 = 0x80
    var high: UInt8 = 0xBF
    switch lead {
    case 0xC2...0xDF: length = 2
    case 0xE0:
      length = 3
      low = 0xA0  // no overlong forms
    case 0xE1...0xEC, 0xEE...0xEF: length = 3
    case 0xED:
      length = 3
      high = 0x9F  // no UTF-16 surrogates
    case 0xF0:
      length = 4
      low = 0x90  // no overlong forms
    case 0xF1...0xF3: length = 4
    case 0xF4:
      length = 4
      high = 0x8F  // nothing above U+10FFFF
    default: throw fail(.invalidUTF8, "invalid UTF-8 in a string")
    }
    for k in 1..<length {
      guard i + k < bytes.count else {
        throw fail(.invalidUTF8, "invalid UTF-8 in a string (truncated sequence)", at: i + k)
      }
      let c = bytes[i + k]
      let (lo, hi) = k == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
      guard c >= lo && c <= hi else { throw fail(.invalidUTF8, "invalid UTF-8 in a string", at: i + k) }
    }
    return length
  }

  /// Decodes one escape starting at its backslash.
  mutating func escape(into out: inout [UInt8]) throws(JSONParseError) {
    let start = i
    i += 1
    guard i < bytes.count else { throw fail(.unexpectedEnd, "unexpected end of text inside a string") }
    let c = bytes[i]
    i += 1
    switch c {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
    case UInt8(ascii: "b"): out.append(0x08)
    case UInt8(ascii: "f"): out.append(0x0C)
    case UInt8(ascii: "n"): out.append(0x0A)
    case UInt8(ascii: "r"): out.append(0x0D)
    case UInt8(ascii: "t"): out.append(0x09)
    case UInt8(ascii: "u"):
      var scalar = try hex4(escapeStart: start)
      if scalar >= 0xD800 && scalar <= 0xDBFF {
        // A high surrogate must be followed by an escaped low surrogate.
        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
          throw fail(.invalidUnicodeEscape, "unpaired UTF-16 surrogate in a \\u escape", at: start)
        }
        let lowStart = i
        i += 2
        let low = try hex4(escapeStart: lowStart)
        guard low >= 0xDC00 && low <= 0xDFFF else {
          throw fail(.invalidUnicodeEscape, "unpaired UTF-16 surrogate in a \\u escape", at: start)
        }
        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
      } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
        throw fail(.invalidUnicodeEscape, "unpaired UTF-16 surrogate in a \\u escape", at: start)
      }
      out.append(contentsOf: Unicode.UTF8.encode(Unicode.Scalar(scalar)!)!)
    default:
      let shown =
        (0x21...0x7E).contains(c)
        ? "'\\\(Character(Unicode.Scalar(c)))'" : "(backslash, byte 0x\(String(c, radix: 16, uppercase: true)))"
      throw fail(.invalidEscape, "invalid escape \(shown) in a string", at: start)
    }
  }

  /// Reads the four hex digits after `\u`.
  mutating func hex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard i < bytes.count else { throw fail(.unexpectedEnd, "unexpected end of text inside a string") }
      let c = bytes[i]
      let digit: UInt32
      switch c {
      case 0x30...0x39: digit = UInt32(c - 0x30)
      case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
      case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
      default: throw fail(.invalidUnicodeEscape, "expected four hex digits after \\u", at: escapeStart)
      }
      value = value << 4 | digit
      i += 1
    }
    return value
  }
}
