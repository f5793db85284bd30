/// A link split into its parts, as the registry and handlers see it.
///
/// Parsing is deliberately narrow and fast: it understands `http`/`https` URLs and scheme-less
/// `host/path` links, the only forms the extractor produces. The host is the authority's host after
/// any `user:password@` part and before any port, lower-cased, with one trailing dot removed, so
/// `http://www.example.com@evil.example/` has host `evil.example`. Nothing is percent-decoded.
public struct ParsedLink: Sendable, Hashable, CustomStringConvertible {
  /// The link text as found (the input to parsing, trimmed of surrounding punctuation).
  public let text: String
  /// `"http"`, `"https"` (lower-cased), or nil when the link had no scheme.
  public let scheme: String?
  /// The lower-cased host (see type doc).
  public let host: String
  /// The explicit port, if any.
  public let port: Int?
  /// The path including its leading `/`, or empty. Not decoded.
  public let path: Substring
  /// The query without its `?`, or nil when there is none. Not decoded.
  public let query: Substring?
  /// The fragment without its `#`, or nil.
  public let fragment: Substring?

  public var description: String { text }

  /// The part patterns are matched against: the path, then `?` and the query when present. Never
  /// the fragment. Empty paths are given as `/` so `^/` anchors always apply.
  public var target: Substring {
    if path.isEmpty {
      guard let query else { return "/" }
      return Substring("/?" + query)
    }
    guard let query else { return path }
    return text[path.startIndex..<query.endIndex]
  }

  /// Parses `text` as a link; nil when it has no usable host.
  ///
  /// Accepts `http://`, `https://` (any case) and scheme-less `host[:port][/path][?query][#fragment]`.
  /// Rejects other schemes, empty hosts, hosts with characters outside `[A-Za-z0-9.-]` (IPv6
  /// literals and IDNs included) and ports that are not 1–65535.
  public init?(_ text: String) {
    var parts: Parts?
    var copy = text
    copy.withUTF8 { parts = Parts.parse($0) }
    guard let parts else { return nil }
    self.text = text
    let utf8 = text.utf8
    func slice(_ range: Range<Int>) -> Substring {
      Substring(utf8[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)])
    }
    self.scheme = parts.scheme
    self.host = parts.hostNeedsLowercasing ? String(slice(parts.host)).lowercased() : String(slice(parts.host))
    self.port = parts.port
    self.path = slice(parts.path)
    self.query = parts.query.map(slice)
    self.fragment = parts.fragment.map(slice)
  }

  /// The first value of query parameter `name` (exact, case-sensitive), not decoded; nil when absent.
  public func rawQueryValue(_ name: String) -> Substring? {
    guard let query else { return nil }
    for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
      if let eq = pair.firstIndex(of: "=") {
        if pair[pair.startIndex..<eq] == name { return pair[pair.index(after: eq)...] }
      } else if pair == name {
        return pair[pair.endIndex...]
      }
    }
    return nil
  }

  /// The first value of query parameter `name`, percent-decoded exactly once (`+` is kept as `+`).
  public func queryValue(_ name: String) -> String? {
    rawQueryValue(name).map { PercentEncoding.decodeOnce($0) }
  }

  struct Parts {
    var scheme: String?
    var host: Range<Int>
    var hostNeedsLowercasing: Bool
    var port: Int?
    var path: Range<Int>
    var query: Range<Int>?
    var fragment: Range<Int>?

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Parts? {
      let n = b.count
      var i = 0
      var scheme: String? = nil
      // Scheme: letters then "://".
      var j = 0
      while j < n, isSchemeByte(b[j]) { j += 1 }
      if j > 0, j + 2 < n, b[j] == UInt8(ascii: ":"), b[j + 1] == UInt8(ascii: "/"), b[j + 2] == UInt8(ascii: "/") {
        if j == 4, lower(b[0]) == 0x68, lower(b[1]) == 0x74, lower(b[2]) == 0x74, lower(b[3]) == 0x70 {
          scheme = "http"
        } else if j == 5, lower(b[0]) == 0x68, lower(b[1]) == 0x74, lower(b[2]) == 0x74, lower(b[3]) == 0x70,
          lower(b[4]) == 0x73
        {
          scheme = "https"
        } else {
          return nil
        }
        i = j + 3
      }
      // Authority ends at the first '/', '?' or '#'.
      let authorityStart = i
      var authorityEnd = i
      while authorityEnd < n {
        let c = b[authorityEnd]
        if c == UInt8(ascii: "/") || c == UInt8(ascii: "?") || c == UInt8(ascii: "#") { break }
        authorityEnd += 1
      }
      // Userinfo: everything up to the last '@' in the authority.
      var hostStart = authorityStart
      var k = authorityEnd
      while k > authorityStart {
        k -= 1
        if b[k] == UInt8(ascii: "@") {
          hostStart = k + 1
          break
        }
      }
      var hostEnd = authorityEnd
      var port: Int? = nil
      var p = hostStart
      while p < authorityEnd, b[p] != UInt8(ascii: ":") { p += 1 }
      if p < authorityEnd {
        hostEnd = p
        var value = 0
        var digits = 0
        var q = p + 1
        while q < authorityEnd {
          let c = b[q]
          guard c >= 0x30, c <= 0x39, digits < 6 else { return nil }
          value = value * 10 + Int(c - 0x30)
          digits += 1
          q += 1
        }
        if digits == 0 {
          port = nil
        } else {
          guard value >= 1, value <= 65_535 else { return nil }
          port = value
        }
      }
      if hostEnd > hostStart, b[hostEnd - 1] == UInt8(ascii: ".") { hostEnd -= 1 }
      guard hostEnd > hostStart else { return nil }
      var needsLowercasing = false
      for h in hostStart..<hostEnd {
        let c = b[h]
        if c >= 0x41, c <= 0x5A {
          needsLowercasing = true
        } else if !((c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")) {
          return nil
        }
      }
      // Path, query, fragment.
      var pathEnd = authorityEnd
      while pathEnd < n, b[pathEnd] != UInt8(ascii: "?"), b[pathEnd] != UInt8(ascii: "#") { pathEnd += 1 }
      var query: Range<Int>? = nil
      var fragment: Range<Int>? = nil
      var cursor = pathEnd
      if cursor < n, b[cursor] == UInt8(ascii: "?") {
        var queryEnd = cursor + 1
        while queryEnd < n, b[queryEnd] != UInt8(ascii: "#") { queryEnd += 1 }
        query = (cursor + 1)..<queryEnd
        cursor = queryEnd
      }
      if cursor < n, b[cursor] == UInt8(ascii: "#") {
        fragment = (cursor + 1)..<n
      }
      return Parts(
        scheme: scheme, host: hostStart..<hostEnd, hostNeedsLowercasing: needsLowercasing, port: port,
        path: authorityEnd..<pathEnd, query: query, fragment: fragment)
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c | 0x20 }
    @inline(__always) static func isSchemeByte(_ c: UInt8) -> Bool {
      (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A
    }
  }
}
