import Foundation

/// The service's JSON envelope, read tolerantly: `{"code": int, "message": str, "data": any}`.
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
    guard !body.isEmpty,
      let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]),
      let root = object as? [String: Any]
    else { return nil }
    code = Self.integer(root["code"])
    message = (root["message"] as? String) ?? (root["msg"] as? String)
    switch root["data"] {
    case let text as String:
      redirectURL = Self.nonEmpty(text)
    case let data as [String: Any]:
      redirectURL =
        Self.nonEmpty(data["redirect_url"] as? String) ?? Self.nonEmpty(data["redirectUrl"] as? String)
        ?? Self.nonEmpty(data["url"] as? String)
    default:
      redirectURL = nil
    }
  }

  private static func integer(_ value: Any?) -> Int? {
    switch value {
    case let number as Int: return number
    case let number as Double where number == number.rounded() && abs(number) < 1e15: return Int(number)
    case let text as String: return Int(text.trimmingCharacters(in: .whitespaces))
    default: return nil
    }
  }

  private static func nonEmpty(_ text: String?) -> String? {
    guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
    return trimmed
  }
}
