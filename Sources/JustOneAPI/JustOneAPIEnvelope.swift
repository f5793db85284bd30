import JSONValue

/// The service's JSON envelope, read tolerantly: `{"code": int, "message": str, "data": any}`.
/// (A key repeated in one object keeps its first value.)
struct JustOneAPIEnvelope {
  /// The business code; nil when absent or not an integer.
  var code: Int?
  /// `message` (or `msg`), when a string.
  var message: String?
  /// The converted URL: `data.redirect_url`, `data.redirectUrl`, `data.url`, or `data` itself when
  /// it is a string; nil when none is a non-empty string.
  var redirectURL: String?

  /// Parses `body`; nil when it is not a JSON object.
  init?(_ body: [UInt8]) {
    guard !body.isEmpty, let root = try? JSONValue.parse(body), root.object != nil else { return nil }
    code = Self.integer(root["code"])
    message = root["message"]?.string ?? root["msg"]?.string
    switch root["data"] {
    case .string(let text)?:
      redirectURL = Self.nonEmpty(text)
    case let data? where data.object != nil:
      redirectURL =
        Self.nonEmpty(data["redirect_url"]?.string) ?? Self.nonEmpty(data["redirectUrl"]?.string)
        ?? Self.nonEmpty(data["url"]?.string)
    default:
      redirectURL = nil
    }
  }

  /// An integer literal that fits `Int`; a whole number below 10^15 written with a fraction or
  /// exponent; or a string holding an integer (spaces and tabs around it allowed).
  private static func integer(_ value: JSONValue?) -> Int? {
    switch value {
    case .number(let number, let literal)?:
      if let exact = Int(literal) { return exact }
      guard number == number.rounded(), abs(number) < 1e15 else { return nil }
      return Int(number)
    case .string(let text)?:
      return Int(trimmed(text, newlines: false))
    default:
      return nil
    }
  }

  private static func nonEmpty(_ text: String?) -> String? {
    guard let text else { return nil }
    let trimmed = trimmed(text, newlines: true)
    return trimmed.isEmpty ? nil : trimmed
  }

  /// `text` without leading and trailing white space (and line breaks when `newlines`).
  private static func trimmed(_ text: String, newlines: Bool) -> String {
    String(text.trimming { $0.isWhitespace && (newlines || !$0.isNewline) })
  }
}
