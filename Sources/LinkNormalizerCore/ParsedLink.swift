#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A link split into its parts, as the registry and handlers see it.
///
/// Parsing is deliberately narrow and fast: it understands `http`/`https` URLs and scheme-less
/// `host/path` links, the only forms the extractor produces. The host is the authority's host after
/// any `user:password@` part and before any port, compared case-insensitively, with one trailing dot
/// removed, so `http://www.example.com@evil.example/` has host `evil.example`. Nothing is
/// percent-decoded.
///
/// A parsed link keeps the text it was found in (``source``) and byte offsets into it; the
/// `Substring`/`String` accessors (``text``, ``host``, ``path``, ``query``) allocate or check
/// boundaries and are meant for handlers' slow paths and for display. Hot paths use the
/// `with…Bytes` accessors, which do neither.
public struct ParsedLink: Sendable, CustomStringConvertible {
  /// The text the link was found in (the whole input, or the URL itself).
  public let source: String
  /// Byte offsets into `source` (32-bit: a link is a value copied on every hot path, so it is
  /// kept small, with one reference-counted field).
  private let bounds: Bounds

  private struct Bounds {
    var start: Int32
    var end: Int32
    var hostStart: Int32
    var hostEnd: Int32
    /// The path runs from the end of the authority to `pathEnd`.
    var pathStart: Int32
    var pathEnd: Int32
    /// -1 when there is no query.
    var queryStart: Int32
    var queryEnd: Int32
    /// -1 when there is no fragment; the fragment runs to `end`.
    var fragmentStart: Int32
    /// 0 when there is no explicit port.
    var port: Int32
    /// 0 none, 1 http, 2 https.
    var scheme: UInt8
    /// The text is known to hold no `"`, `\\`, control or non-ASCII byte (links the extractor cut).
    var plain: Bool
  }

  /// Whether the link's text is known to need no escaping in JSON or TSV: true for links found by
  /// ``LinkExtractor`` (which cuts at `"`, `\\`, controls and non-ASCII bytes), false when unknown.
  package var isPlainText: Bool { bounds.plain }

  /// The link's byte range in `source`.
  public var range: Range<Int> { Int(bounds.start)..<Int(bounds.end) }
  /// `"http"`, `"https"` (lower-cased), or nil when the link had no scheme.
  public var scheme: String? {
    switch bounds.scheme {
    case 1: return "http"
    case 2: return "https"
    default: return nil
    }
  }
  /// The explicit port, if any.
  public var port: Int? { bounds.port > 0 ? Int(bounds.port) : nil }
  var hostRange: Range<Int> { Int(bounds.hostStart)..<Int(bounds.hostEnd) }
  var pathRange: Range<Int> { Int(bounds.pathStart)..<Int(bounds.pathEnd) }
  var queryRange: Range<Int>? { bounds.queryStart < 0 ? nil : Int(bounds.queryStart)..<Int(bounds.queryEnd) }
  var fragmentRange: Range<Int>? { bounds.fragmentStart < 0 ? nil : Int(bounds.fragmentStart)..<Int(bounds.end) }

  /// Parses all of `text` as a link; nil when it is not one (see type doc).
  ///
  /// Accepts `http://`, `https://` (any case) and scheme-less `host[:port][/path][?query][#fragment]`.
  /// Rejects other schemes, empty hosts, hosts with characters outside `[A-Za-z0-9.-]` (IPv6
  /// literals and IDNs included), ports that are not 1–65535, and text over 2 GiB.
  public init?(_ text: String) {
    self.init(source: text, range: 0..<text.utf8.count)
  }

  /// Parses the bytes `range` of `source` as a link.
  public init?(source: String, range: Range<Int>) {
    self.init(source: source, range: range, plainText: false)
  }

  /// `plainText`: the caller guarantees the range holds no `"`, `\\`, control or non-ASCII byte.
  init?(source: String, range: Range<Int>, plainText: Bool) {
    guard
      let parts = withUTF8Bytes(
        of: source,
        { buffer -> Parts? in
          guard range.lowerBound >= 0, range.upperBound <= buffer.count, range.upperBound < Int(Int32.max) else {
            return nil
          }
          return Parts.parse(buffer, range)
        })
    else { return nil }
    self.source = source
    self.bounds = Bounds(
      start: Int32(range.lowerBound), end: Int32(range.upperBound),
      hostStart: Int32(parts.host.lowerBound), hostEnd: Int32(parts.host.upperBound),
      pathStart: Int32(parts.path.lowerBound), pathEnd: Int32(parts.path.upperBound),
      queryStart: parts.query.map { Int32($0.lowerBound) } ?? -1,
      queryEnd: parts.query.map { Int32($0.upperBound) } ?? -1,
      fragmentStart: parts.fragment.map { Int32($0.lowerBound) } ?? -1,
      port: Int32(parts.port ?? 0),
      scheme: parts.scheme, plain: plainText)
  }

  // MARK: Convenience accessors (allocate)

  /// The link text as found.
  public var text: String { string(range) }
  public var description: String { text }
  /// The lower-cased host.
  public var host: String {
    var lowered = string(hostRange)
    if lowered.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) { lowered = lowered.lowercased() }
    return lowered
  }
  /// The path including its leading `/`, or empty. Not decoded.
  public var path: String { string(pathRange) }
  /// The query without its `?`, or nil. Not decoded.
  public var query: String? { queryRange.map(string) }
  /// The fragment without its `#`, or nil.
  public var fragment: String? { fragmentRange.map(string) }

  /// What identifies the link's target whatever its spelling: the lower-case host, then the path
  /// and query (scheme, user info, port and fragment ignored). Two inputs with the same key are
  /// the same link to a resolver.
  public var identityKey: String { host + target }

  /// What patterns are matched against: the path (`/` when empty), then `?` and the query when
  /// present. Never the host or the fragment.
  public var target: String { withTargetBytes { String(decoding: $0, as: UTF8.self) } }

  // MARK: Byte accessors (no allocation)

  /// Calls `body` with the UTF-8 bytes of ``target``. The buffer is valid only inside `body`.
  @inline(__always)
  public func withTargetBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    if pathRange.isEmpty {
      var synthetic: [UInt8] = [UInt8(ascii: "/")]
      if let queryRange {
        synthetic.append(UInt8(ascii: "?"))
        withBytes(queryRange) { synthetic.append(contentsOf: $0) }
      }
      return try synthetic.withUnsafeBufferPointer(body)
    }
    let end = queryRange?.upperBound ?? pathRange.upperBound
    return try withBytes(pathRange.lowerBound..<end, body)
  }

  /// Calls `body` with the host's bytes as written (not lower-cased).
  @inline(__always)
  public func withHostBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try withBytes(hostRange, body)
  }

  /// Calls `body` with the link text's bytes.
  @inline(__always)
  public func withTextBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try withBytes(range, body)
  }

  /// Whether the host is in `table`.
  @inline(__always)
  public func host<V>(in table: HostTable<V>) -> V? {
    withHostBytes { table.value(forHostBytes: $0) }
  }

  /// Whether the host is in `table` (no value copied).
  @inline(__always)
  public func hostIsIn<V>(_ table: HostTable<V>) -> Bool {
    withHostBytes { table.index(forHostBytes: $0) != nil }
  }

  /// The first value of query parameter `name` (exact, case-sensitive) percent-decoded exactly once
  /// (`+` stays `+`), or nil when absent. A parameter without `=` has the empty value.
  public func queryValue(_ name: String) -> String? {
    guard let queryRange else { return nil }
    return withBytes(queryRange) { query in
      ParsedLink.firstValue(of: name, in: query).map {
        PercentEncoding.decodeOnce(UnsafeBufferPointer(rebasing: query[$0]))
      }
    }
  }

  /// The byte range of the first value of parameter `name` (exact, case-sensitive) in `query` (a
  /// query without its `?`), not decoded; nil when absent. A parameter without `=` has an empty
  /// value.
  package static func firstValue(of name: String, in query: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
    withUTF8Bytes(of: name) { key in
      // A query with no storage at all is empty: only an empty name is in it.
      guard query.baseAddress != nil else { return key.isEmpty ? 0..<0 : nil }
      return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2) { starts in
        starts[0] = 0
        starts[1] = key.count
        var value: Range<Int>? = nil
        withUnsafeMutablePointer(to: &value) { slot in
          findFirstValues(
            in: query, names: key, starts: UnsafeBufferPointer(starts),
            into: UnsafeMutableBufferPointer(start: slot, count: 1))
        }
        return value
      }
    }
  }

  /// One pass over `query` (a query without its `?`): for each name `k`
  /// (`names[starts[k]..<starts[k + 1]]`, matched exactly), the value range of its first
  /// occurrence into `values[k]`, which must start nil. A parameter without `=` has an empty value.
  /// Stops as soon as every name is found. Two names must differ (a parameter fills one name).
  static func findFirstValues(
    in query: UnsafeBufferPointer<UInt8>, names: UnsafeBufferPointer<UInt8>, starts: UnsafeBufferPointer<Int>,
    into values: UnsafeMutableBufferPointer<Range<Int>?>
  ) {
    guard let base = query.baseAddress else { return }
    let n = query.count
    let count = starts.count - 1
    var remaining = count
    var i = 0
    while i <= n, remaining > 0 {
      // The parameter starting at i ends at the next '&' (or the end).
      let end =
        memchr(base + i, Int32(UInt8(ascii: "&")), n - i).map {
          base.distance(to: $0.assumingMemoryBound(to: UInt8.self))
        } ?? n
      for k in 0..<count where values[k] == nil {
        let keyLength = starts[k + 1] - starts[k]
        // Most parameters differ in their first byte: skip them without a call.
        if keyLength > 0, i >= end || base[i] != names[starts[k]] { continue }
        let after = i + keyLength
        guard after <= end, keyLength == 0 || memcmp(base + i, names.baseAddress! + starts[k], keyLength) == 0
        else { continue }
        if after == end {
          values[k] = end..<end
        } else if base[after] == UInt8(ascii: "=") {
          values[k] = (after + 1)..<end
        } else {
          continue
        }
        remaining -= 1
        break
      }
      i = end + 1
    }
  }

  @inline(__always)
  func withBytes<R>(_ r: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try withUTF8Bytes(of: source) { try body(UnsafeBufferPointer(rebasing: $0[r])) }
  }

  func string(_ r: Range<Int>) -> String {
    withBytes(r) { String(decoding: $0, as: UTF8.self) }
  }

  struct Parts {
    /// 0 none, 1 http, 2 https.
    var scheme: UInt8
    var host: Range<Int>
    var port: Int?
    var path: Range<Int>
    var query: Range<Int>?
    var fragment: Range<Int>?

    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Parts? {
      let n = range.upperBound
      var i = range.lowerBound
      var scheme: UInt8 = 0
      // Scheme: letters then "://".
      var j = i
      while j < n, isSchemeByte(b[j]) { j &+= 1 }
      if j > i, j + 2 < n, b[j] == UInt8(ascii: ":"), b[j + 1] == UInt8(ascii: "/"), b[j + 2] == UInt8(ascii: "/") {
        let length = j - i
        if length == 4, lower(b[i]) == 0x68, lower(b[i + 1]) == 0x74, lower(b[i + 2]) == 0x74, lower(b[i + 3]) == 0x70 {
          scheme = 1
        } else if length == 5, lower(b[i]) == 0x68, lower(b[i + 1]) == 0x74, lower(b[i + 2]) == 0x74,
          lower(b[i + 3]) == 0x70, lower(b[i + 4]) == 0x73
        {
          scheme = 2
        } else {
          return nil
        }
        i = j + 3
      }
      // Authority and host in one pass to the authority's end (the first '/', '?' or '#'). The
      // host runs from after the last '@' (user info ends there) to the first ':' after it (the
      // port's), and may hold only letters, digits, '-' and '.'.
      let authorityStart = i
      var authorityEnd = i
      var hostStart = authorityStart
      var colon = -1
      var hostIsValid = true
      let authority = Parts.authorityClass
      scan: while authorityEnd < n {
        switch authority[b[authorityEnd]] {
        case 0: break
        case 1: break scan
        case 2:
          hostStart = authorityEnd &+ 1
          colon = -1
          hostIsValid = true
        case 3: if colon < 0 { colon = authorityEnd }
        default: if colon < 0 { hostIsValid = false }
        }
        authorityEnd &+= 1
      }
      guard hostIsValid else { return nil }
      var hostEnd = colon >= 0 ? colon : authorityEnd
      var port: Int? = nil
      if hostEnd < authorityEnd {
        var value = 0
        var digits = 0
        var q = hostEnd + 1
        while q < authorityEnd {
          let c = b[q]
          guard c >= 0x30, c <= 0x39, digits < 6 else { return nil }
          value = value * 10 + Int(c - 0x30)
          digits += 1
          q += 1
        }
        if digits > 0 {
          guard value >= 1, value <= 65_535 else { return nil }
          port = value
        }
      }
      if hostEnd > hostStart, b[hostEnd - 1] == UInt8(ascii: ".") { hostEnd -= 1 }
      guard hostEnd > hostStart else { return nil }
      // Path, query, fragment: the path ends at the first '?' or '#'; found with memchr, since
      // paths and queries are the long part of a link.
      let baseAddress = b.baseAddress!
      @inline(__always) func find(_ byte: UInt8, _ from: Int, _ to: Int) -> Int? {
        guard from < to, let hit = memchr(baseAddress + from, Int32(byte), to - from) else { return nil }
        return baseAddress.distance(to: hit.assumingMemoryBound(to: UInt8.self))
      }
      let question = find(UInt8(ascii: "?"), authorityEnd, n)
      let pathEnd = find(UInt8(ascii: "#"), authorityEnd, question ?? n) ?? question ?? n
      var query: Range<Int>? = nil
      var fragment: Range<Int>? = nil
      var cursor = pathEnd
      if cursor < n, b[cursor] == UInt8(ascii: "?") {
        let queryEnd = find(UInt8(ascii: "#"), cursor + 1, n) ?? n
        query = (cursor + 1)..<queryEnd
        cursor = queryEnd
      }
      if cursor < n, b[cursor] == UInt8(ascii: "#") {
        fragment = (cursor + 1)..<n
      }
      return Parts(
        scheme: scheme, host: hostStart..<hostEnd, port: port, path: authorityEnd..<pathEnd, query: query,
        fragment: fragment)
    }

    /// For one pass over an authority: 0 for bytes a host may hold (letters, digits, `-`, `.`),
    /// 1 for bytes that end the authority (`/ ? #`), 2 for `@`, 3 for `:`, 4 for any other byte.
    static let authorityClass = ByteTable { c in
      switch c {
      case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"): return 1
      case UInt8(ascii: "@"): return 2
      case UInt8(ascii: ":"): return 3
      default:
        let isHostByte =
          (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-")
          || c == UInt8(ascii: ".")
        return isHostByte ? 0 : 4
      }
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c | 0x20 }
    @inline(__always) static func isSchemeByte(_ c: UInt8) -> Bool {
      (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A
    }
  }
}
