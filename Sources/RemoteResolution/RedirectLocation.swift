import LinkNormalizerCore

/// A redirect's `Location` resolved against the URL that was requested, split into the parts the
/// redirect resolver checks before it may contact anything.
struct RedirectLocation {
  /// The absolute URL after RFC 3986 reference resolution (dot segments removed; bytes that may
  /// not appear in a URL, such as spaces or raw UTF-8, percent-encoded; otherwise as written).
  var absolute: String
  /// Lower-cased scheme.
  var scheme: String
  /// Lower-cased, percent-decoded host with one trailing dot removed (an IPv6 literal without its
  /// brackets); empty when there is none. Not IDNA-encoded: a non-ASCII host stays as it is.
  var host: String
  /// The explicit port, if any.
  var port: Int?
  /// The percent-encoded path (`/` when empty) followed by `?` and the query when present.
  var target: String

  /// The first `Location` value of a header. A transport may report a repeated field once, its
  /// values joined with `", "` (as `URLSession` does), and a URL never contains an unencoded
  /// space, so the first one ends there.
  static func firstValue(_ header: String) -> String {
    let value = header.firstRange(of: ", ").map { String(header[..<$0.lowerBound]) } ?? header
    return String(value.trimmingSpaces)
  }

  /// Resolves `location` (absolute, scheme-relative, absolute-path, relative-path, query-only or
  /// fragment-only reference) against the absolute URL `base` per RFC 3986 §5.2; nil when either
  /// is not a URL (e.g. an invalid port).
  init?(_ location: String, relativeTo base: String) {
    guard !location.isEmpty, let baseReference = URIReference(base), baseReference.scheme != nil,
      let reference = URIReference(location)
    else { return nil }
    let url = reference.resolved(against: baseReference)
    guard let scheme = url.scheme else { return nil }
    var host = ""
    var port: Int? = nil
    if let authority = url.authority {
      guard let parts = URIReference.splitAuthority(authority) else { return nil }
      host = PercentEncoding.decodeOnce(parts.host).lowercased()
      if host.hasSuffix(".") { host.removeLast() }
      if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }  // IP literal
      port = parts.port
    }
    self.absolute = url.text
    self.scheme = scheme.lowercased()
    self.host = host
    self.port = port
    self.target = (url.path.isEmpty ? "/" : url.path) + (url.query.map { "?" + $0 } ?? "")
  }

  /// Whether this is an http(s) URL on one of `hosts` at the default port: one the resolver may
  /// contact (over https).
  func isContactable(within hosts: Set<String>) -> Bool {
    (scheme == "http" || scheme == "https") && hosts.contains(host) && (port == nil || port == 443 || port == 80)
  }
}

/// A URI reference split into RFC 3986's five components (Appendix B), with the bytes that may
/// not appear in a URI percent-encoded. Nothing is decoded.
struct URIReference: Equatable {
  var scheme: String?
  var authority: String?
  var path: String
  var query: String?
  var fragment: String?

  init(scheme: String?, authority: String?, path: String, query: String?, fragment: String?) {
    self.scheme = scheme
    self.authority = authority
    self.path = path
    self.query = query
    self.fragment = fragment
  }

  /// Splits `text`; nil when it contains a control byte (below 0x20, or DEL), starts with a space,
  /// or is a relative path whose first segment contains `:` (RFC 3986 §4.2: not a reference).
  init?(_ text: String) {
    let bytes = Array(text.utf8)
    guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }), bytes.first != 0x20 else { return nil }
    var i = 0
    let n = bytes.count
    // scheme ":" — only when the part before the first ':' is a valid scheme (ALPHA *( ALPHA /
    // DIGIT / "+" / "-" / "." )) and no '/', '?' or '#' comes first.
    var schemeEnd: Int? = nil
    if n > 0, Self.isAlpha(bytes[0]) {
      var k = 1
      while k < n,
        Self.isAlpha(bytes[k]) || Self.isDigit(bytes[k]) || bytes[k] == 0x2B || bytes[k] == 0x2D || bytes[k] == 0x2E
      {
        k += 1
      }
      if k < n, bytes[k] == UInt8(ascii: ":") { schemeEnd = k }
    }
    if let schemeEnd {
      scheme = String(decoding: bytes[0..<schemeEnd], as: UTF8.self)
      i = schemeEnd + 1
    } else {
      scheme = nil
    }
    // "//" authority
    if i + 1 < n, bytes[i] == UInt8(ascii: "/"), bytes[i + 1] == UInt8(ascii: "/") {
      var k = i + 2
      while k < n, bytes[k] != UInt8(ascii: "/"), bytes[k] != UInt8(ascii: "?"), bytes[k] != UInt8(ascii: "#") {
        k += 1
      }
      authority = Self.encode(bytes[(i + 2)..<k], allowing: Self.authorityBytes)
      i = k
    } else {
      authority = nil
    }
    var k = i
    while k < n, bytes[k] != UInt8(ascii: "?"), bytes[k] != UInt8(ascii: "#") { k += 1 }
    if scheme == nil, authority == nil {
      let firstSegment = bytes[i..<k].prefix { $0 != UInt8(ascii: "/") }
      guard !firstSegment.contains(UInt8(ascii: ":")) else { return nil }
    }
    path = Self.encode(bytes[i..<k], allowing: Self.pathBytes)
    i = k
    if i < n, bytes[i] == UInt8(ascii: "?") {
      k = i + 1
      while k < n, bytes[k] != UInt8(ascii: "#") { k += 1 }
      query = Self.encode(bytes[(i + 1)..<k], allowing: Self.queryBytes)
      i = k
    } else {
      query = nil
    }
    if i < n, bytes[i] == UInt8(ascii: "#") {
      fragment = Self.encode(bytes[(i + 1)..<n], allowing: Self.queryBytes)
    } else {
      fragment = nil
    }
  }

  /// The recomposed reference (RFC 3986 §5.3).
  var text: String {
    var out = ""
    if let scheme { out += scheme + ":" }
    if let authority { out += "//" + authority }
    out += path
    if let query { out += "?" + query }
    if let fragment { out += "#" + fragment }
    return out
  }

  /// The target URI of this reference against the absolute `base` (RFC 3986 §5.2.2, strict: a
  /// reference with a scheme is used as it is, dot segments aside).
  func resolved(against base: URIReference) -> URIReference {
    var target = URIReference(scheme: nil, authority: nil, path: "", query: nil, fragment: fragment)
    if scheme != nil {
      target.scheme = scheme
      target.authority = authority
      target.path = Self.removeDotSegments(path)
      target.query = query
      return target
    }
    if authority != nil {
      target.authority = authority
      target.path = Self.removeDotSegments(path)
      target.query = query
    } else {
      if path.isEmpty {
        target.path = base.path
        target.query = query ?? base.query
      } else {
        if path.hasPrefix("/") {
          target.path = Self.removeDotSegments(path)
        } else {
          target.path = Self.removeDotSegments(Self.merge(base: base, path))
        }
        target.query = query
      }
      target.authority = base.authority
    }
    target.scheme = base.scheme
    return target
  }

  /// RFC 3986 §5.2.3.
  static func merge(base: URIReference, _ path: String) -> String {
    if base.authority != nil && base.path.isEmpty { return "/" + path }
    guard let slash = base.path.lastIndex(of: "/") else { return path }
    return String(base.path[...slash]) + path
  }

  /// RFC 3986 §5.2.4: removes `.` and `..` segments.
  static func removeDotSegments(_ path: String) -> String {
    guard path.contains(".") else { return path }
    var input = Substring(path)
    var output: [Substring] = []  // segments, each with its leading "/" when it had one
    while !input.isEmpty {
      if input.hasPrefix("../") {
        input = input.dropFirst(3)
      } else if input.hasPrefix("./") {
        input = input.dropFirst(2)
      } else if input.hasPrefix("/./") {
        input = input.dropFirst(2)
      } else if input == "/." {
        input = "/"
      } else if input.hasPrefix("/../") {
        input = input.dropFirst(3)
        if !output.isEmpty { output.removeLast() }
      } else if input == "/.." {
        input = "/"
        if !output.isEmpty { output.removeLast() }
      } else if input == "." || input == ".." {
        input = ""
      } else {
        // Move the first segment (with its leading "/", if any) to the output.
        let start = input.startIndex
        let searchFrom = input.hasPrefix("/") ? input.index(after: start) : start
        let end = input[searchFrom...].firstIndex(of: "/") ?? input.endIndex
        output.append(input[start..<end])
        input = input[end...]
      }
    }
    return output.joined()
  }

  /// Splits an authority into userinfo (dropped), host and port; nil when the port is not made
  /// of digits (or too long for an `Int`) or an IP literal's bracket is unclosed. An empty port is
  /// no port. Out-of-range numbers are kept (they never match a port that may be contacted).
  static func splitAuthority(_ authority: String) -> (host: String, port: Int?)? {
    var rest = Substring(authority)
    if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
    var host: Substring
    var portText: Substring? = nil
    if rest.hasPrefix("[") {
      guard let close = rest.firstIndex(of: "]") else { return nil }
      host = rest[...close]
      let after = rest[rest.index(after: close)...]
      if after.hasPrefix(":") {
        portText = after.dropFirst()
      } else if !after.isEmpty {
        return nil
      }
    } else if let colon = rest.lastIndex(of: ":") {
      host = rest[..<colon]
      portText = rest[rest.index(after: colon)...]
    } else {
      host = rest
    }
    var port: Int? = nil
    if let portText, !portText.isEmpty {
      guard portText.utf8.allSatisfy(isDigit), let value = Int(portText) else { return nil }
      port = value
    }
    return (String(host), port)
  }

  // MARK: Characters

  @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
  @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

  /// unreserved / sub-delims / "%" (checked separately).
  static func isUnreservedOrSubDelim(_ c: UInt8) -> Bool {
    if isAlpha(c) || isDigit(c) { return true }
    switch c {
    case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"),
      UInt8(ascii: "$"),
      UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
      UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
      return true
    default: return false
    }
  }

  static func authorityBytes(_ c: UInt8) -> Bool {
    isUnreservedOrSubDelim(c) || c == UInt8(ascii: ":") || c == UInt8(ascii: "@") || c == UInt8(ascii: "[")
      || c == UInt8(ascii: "]")
  }

  static func pathBytes(_ c: UInt8) -> Bool {
    isUnreservedOrSubDelim(c) || c == UInt8(ascii: ":") || c == UInt8(ascii: "@") || c == UInt8(ascii: "/")
  }

  static func queryBytes(_ c: UInt8) -> Bool { pathBytes(c) || c == UInt8(ascii: "?") }

  /// The bytes as text, each byte `allowed` rejects percent-encoded (upper-case hex). A `%`
  /// followed by two hex digits is kept; any other `%` becomes `%25`.
  static func encode(_ bytes: ArraySlice<UInt8>, allowing allowed: (UInt8) -> Bool) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = bytes.startIndex
    while i < bytes.endIndex {
      let c = bytes[i]
      if c == UInt8(ascii: "%"), i + 2 < bytes.endIndex, PercentEncoding.hexValue(bytes[i + 1]) != nil,
        PercentEncoding.hexValue(bytes[i + 2]) != nil
      {
        out.append(contentsOf: bytes[i...(i + 2)])
        i += 3
        continue
      }
      if allowed(c) {
        out.append(c)
      } else {
        out.append(UInt8(ascii: "%"))
        out.append(PercentEncoding.hexDigit(c >> 4))
        out.append(PercentEncoding.hexDigit(c & 0xF))
      }
      i += 1
    }
    return String(decoding: out, as: UTF8.self)
  }
}
