/// Finds links in pasted text: a bare URL, or the share blurb a phone app copies.
///
/// The text is cut into tokens at whitespace, ASCII control characters, any of `"<>\^`{|}` and at
/// every non-ASCII character (which covers full-width punctuation such as `，。；！？、【】《》`, CJK text
/// and emoji glued to a link; links are therefore cut at their first non-ASCII character). Within a
/// token a link starts at `http://` or `https://` (any case); a token with no scheme counts as a
/// link when it starts with a host name (`a.b` with a letter-only top-level label of two or more
/// letters) followed by a path or query, or when its host is one the caller knows. Trailing
/// `. , ; : ! ? ) ] ' *` are trimmed from a link. Links in other schemes are ignored.
///
/// Cost is linear in the text length; nothing is allocated for tokens that hold no link.
public enum LinkExtractor {
  /// Every link in `text`, in order of appearance.
  public static func links(in text: String, isKnownHost: (ParsedLink) -> Bool = { _ in false }) -> [ParsedLink] {
    var result: [ParsedLink] = []
    forEachLink(in: text, isKnownHost: isKnownHost) { link in
      result.append(link)
      return true
    }
    return result
  }

  /// Calls `body` with each link in `text`, in order, until it returns false. `isKnownHost` lets a
  /// scheme-less token without a path count as a link (e.g. a bare short-link host).
  public static func forEachLink(
    in text: String, isKnownHost: (ParsedLink) -> Bool = { _ in false }, _ body: (ParsedLink) -> Bool
  ) {
    let count = text.utf8.count
    var position = 0
    while position < count {
      // Find the next candidate range without holding the buffer across the callback.
      var found: (range: Range<Int>, schemeless: Bool)? = nil
      withUTF8Bytes(of: text) { b in
        let cut = cutTable
        var i = position
        let n = b.count
        // Offsets stay below the text's length: wrapping arithmetic, no overflow checks.
        while i < n {
          while i < n, cut[b[i]] != 0 { i &+= 1 }
          let start = i
          // Tokens are long (whole URLs): test 8 bytes per step, then finish byte by byte.
          while i &+ 8 <= n {
            let hit =
              cut[b[i]] | cut[b[i &+ 1]] | cut[b[i &+ 2]] | cut[b[i &+ 3]]
              | cut[b[i &+ 4]] | cut[b[i &+ 5]] | cut[b[i &+ 6]] | cut[b[i &+ 7]]
            if hit != 0 { break }
            i &+= 8
          }
          while i < n, cut[b[i]] == 0 { i &+= 1 }
          if i > start, let candidate = candidate(in: b, start..<i) {
            found = candidate
            break
          }
        }
        position = i
      }
      guard let (range, schemeless) = found else { return }
      // The cut table guarantees the token holds no `"`, `\\`, control or non-ASCII byte.
      guard let link = ParsedLink(source: text, range: range, plainText: true) else { continue }
      if schemeless, !link.hasPathOrQuery, !isKnownHost(link) { continue }
      if !body(link) { return }
    }
  }

  /// The link range inside one token, or nil when the token holds none.
  static func candidate(in b: UnsafeBufferPointer<UInt8>, _ token: Range<Int>) -> (Range<Int>, Bool)? {
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
    var schemeless = false
    if start == nil {
      // Scheme-less: skip leading punctuation, then require host-name shape.
      var s = token.lowerBound
      while s < token.upperBound, isLeadingPunctuation(b[s]) { s += 1 }
      guard s < token.upperBound, looksLikeHost(b, s..<token.upperBound) else { return nil }
      start = s
      schemeless = true
    }
    guard let begin = start else { return nil }
    var end = token.upperBound
    while end > begin, isTrailingPunctuation(b[end - 1]) { end -= 1 }
    return end > begin ? (begin..<end, schemeless) : nil
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

  /// Bytes that end a token: controls, space, DEL, `"<>\^`{|}` and every non-ASCII byte.
  static let cutTable = ByteTable { c in
    c <= 0x20 || c >= 0x7F || "\"<>\\^`{|}".utf8.contains(c) ? 1 : 0
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

extension ParsedLink {
  /// Whether the link has a path beyond `/`, or a query.
  var hasPathOrQuery: Bool { pathRange.count > 1 || queryRange != nil }
}
