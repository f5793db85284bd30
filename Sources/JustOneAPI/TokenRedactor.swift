import LinkNormalizerCore

/// Removes a token from text: the raw token and its percent-encoded spelling are replaced by
/// `<redacted>`. Applied to every message, detail and URL a client returns, so a server that
/// echoes the token cannot leak it into results. An empty token redacts nothing.
struct TokenRedactor: Sendable {
  private let needles: [String]

  init(_ token: Secret) {
    let raw = token.revealedValue
    guard !raw.isEmpty else {
      needles = []
      return
    }
    // The spellings a server might echo: raw, percent-encoded (upper- or lower-case hex), and
    // form-encoded (space as `+`). Longest first, so an encoded form is replaced whole.
    let encoded = PercentEncoding.encodeComponent(raw)
    let variants = [raw, encoded, lowerHexEscapes(encoded), encoded.replacingAll("%20", with: "+")]
    needles = Array(Set(variants)).sorted { $0.count > $1.count }
  }

  func scrub(_ text: String) -> String {
    var result = text
    for needle in needles where result.contains(needle) {
      result = result.replacingAll(needle, with: "<redacted>")
    }
    return result
  }

  func scrub(_ error: NormalizationError) -> NormalizationError {
    NormalizationError(error.code, scrub(error.message), details: error.details.map { Field($0.name, scrub($0.value)) })
  }
}

/// `%2F` → `%2f`: some servers echo escapes in lower case.
private func lowerHexEscapes(_ text: String) -> String {
  var out = ""
  var pendingEscape = 0
  for character in text {
    if character == "%" {
      pendingEscape = 2
      out.append(character)
    } else if pendingEscape > 0 {
      pendingEscape -= 1
      out += character.lowercased()
    } else {
      out.append(character)
    }
  }
  return out
}

extension String {
  /// Replaces every non-overlapping occurrence of `needle` (non-empty), left to right.
  func replacingAll(_ needle: String, with replacement: String) -> String {
    var result = ""
    var rest = self[...]
    while let range = rest.firstRange(of: needle) {
      result += rest[..<range.lowerBound]
      result += replacement
      rest = rest[range.upperBound...]
    }
    return result + rest
  }
}
