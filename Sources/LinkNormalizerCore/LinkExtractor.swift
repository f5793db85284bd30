/// Finds links in pasted text: a bare URL, or the share blurb a phone app copies.
///
/// The text is cut into tokens at whitespace, ASCII control characters, any of `"<>\^`{|}` and at
/// every non-ASCII character (which covers full-width punctuation such as `，。；！？、【】《》`, CJK text
/// and emoji glued to a link). Within a token a link starts at `http://` or `https://` (any case);
/// a token with no scheme counts as a link when it starts with a host name (`a.b` with a letter-only
/// top-level label) followed by `/`, or when its host is one the registry routes. Trailing
/// `. , ; : ! ? ) ] ' *` are trimmed from a link. Links in other schemes are ignored.
///
/// Cost is linear in the text length; nothing is allocated for text that holds no link.
public enum LinkExtractor {
  /// Every link in `text`, in order of appearance, parsed. `isKnownHost` lets scheme-less tokens
  /// without a path count as links when their host is routed (e.g. `xhslink.com` alone).
  public static func links(in text: String, isKnownHost: (String) -> Bool = { _ in false }) -> [ParsedLink] {
    var result: [ParsedLink] = []
    forEachLink(in: text, isKnownHost: isKnownHost) { link in
      result.append(link)
      return true
    }
    return result
  }

  /// Calls `body` with each link in `text` in order until it returns false.
  public static func forEachLink(
    in text: String, isKnownHost: (String) -> Bool = { _ in false }, _ body: (ParsedLink) -> Bool
  ) {
    var ranges: [Range<Int>] = []
    var copy = text
    // First pass over bytes finds candidate ranges; parsing happens afterwards on substrings.
    copy.withUTF8 { b in
      let n = b.count
      var i = 0
      while i < n {
        while i < n, isCut(b[i]) { i += 1 }
        let start = i
        while i < n, !isCut(b[i]) { i += 1 }
        if i > start, let range = candidate(in: b, start..<i) {
          ranges.append(range)
        }
      }
    }
    guard !ranges.isEmpty else { return }
    let utf8 = text.utf8
    for range in ranges {
      let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
      let upper = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
      let slice = String(text[lower..<upper])
      guard let link = ParsedLink(slice) else { continue }
      if link.scheme == nil, !hasPathOrQuery(link), !isKnownHost(link.host) { continue }
      if !body(link) { return }
    }
  }

  /// The link range inside one token, or nil when the token holds none.
  static func candidate(in b: UnsafeBufferPointer<UInt8>, _ token: Range<Int>) -> Range<Int>? {
    var start: Int? = nil
    // Look for "://" preceded by http or https.
    var i = token.lowerBound
    while i + 2 < token.upperBound {
      if b[i] == UInt8(ascii: ":"), b[i + 1] == UInt8(ascii: "/"), b[i + 2] == UInt8(ascii: "/") {
        if i - token.lowerBound >= 5, lowerEquals(b, i - 5, "https") {
          start = i - 5
        } else if i - token.lowerBound >= 4, lowerEquals(b, i - 4, "http") {
          start = i - 4
        }
        break
      }
      i += 1
    }
    if start == nil {
      // Scheme-less: skip leading punctuation, then require host-name shape.
      var s = token.lowerBound
      while s < token.upperBound, isLeadingPunctuation(b[s]) { s += 1 }
      guard s < token.upperBound, looksLikeHost(b, s..<token.upperBound) else { return nil }
      start = s
    }
    guard var end = Optional(token.upperBound), let begin = start else { return nil }
    while end > begin, isTrailingPunctuation(b[end - 1]) { end -= 1 }
    return end > begin ? begin..<end : nil
  }

  /// `label(.label)+` with a final label of 2+ letters, ending at the token end or at `/ ? # :`.
  static func looksLikeHost(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
    var i = range.lowerBound
    var labels = 0
    var lastLabelLetters = true
    var lastLabelLength = 0
    while i < range.upperBound {
      let c = b[i]
      if c == UInt8(ascii: "/") || c == UInt8(ascii: "?") || c == UInt8(ascii: "#") || c == UInt8(ascii: ":") { break }
      if c == UInt8(ascii: ".") {
        guard lastLabelLength > 0 else { return false }
        labels += 1
        lastLabelLength = 0
        lastLabelLetters = true
      } else if isAlpha(c) {
        lastLabelLength += 1
      } else if isDigit(c) || c == UInt8(ascii: "-") {
        lastLabelLength += 1
        lastLabelLetters = false
      } else {
        return false
      }
      i += 1
    }
    return labels >= 1 && lastLabelLength >= 2 && lastLabelLetters
  }

  static func hasPathOrQuery(_ link: ParsedLink) -> Bool {
    (link.path.utf8.count > 1) || link.query != nil
  }

  @inline(__always) static func isCut(_ c: UInt8) -> Bool {
    switch c {
    case 0x00...0x20, 0x7F...0xFF: return true
    case UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"), UInt8(ascii: "^"),
      UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"):
      return true
    default: return false
    }
  }

  @inline(__always) static func isTrailingPunctuation(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "!"),
      UInt8(ascii: "?"), UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "'"), UInt8(ascii: "*"):
      return true
    default: return false
    }
  }

  @inline(__always) static func isLeadingPunctuation(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: ","),
      UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "!"), UInt8(ascii: "?"):
      return true
    default: return false
    }
  }

  @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
  @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

  static func lowerEquals(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ word: StaticString) -> Bool {
    let w = word.utf8Start
    for k in 0..<word.utf8CodeUnitCount where (b[at + k] | 0x20) != w[k] { return false }
    return true
  }
}
