import Testing

@testable import RemoteResolution

@Suite struct RedirectLocationTests {
  /// RFC 3986 §5.4: every normal and abnormal example, against `http://a/b/c/d;p?q`.
  static let rfcExamples: [(String, String)] = [
    ("g:h", "g:h"), ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
    ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"), ("#s", "http://a/b/c/d;p?q#s"),
    ("g#s", "http://a/b/c/g#s"), ("g?y#s", "http://a/b/c/g?y#s"), (";x", "http://a/b/c/;x"),
    ("g;x", "http://a/b/c/g;x"),
    ("g;x?y#s", "http://a/b/c/g;x?y#s"), ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"), ("./", "http://a/b/c/"),
    ("..", "http://a/b/"), ("../", "http://a/b/"), ("../g", "http://a/b/g"), ("../..", "http://a/"),
    ("../../", "http://a/"),
    ("../../g", "http://a/g"),
    // Abnormal examples.
    ("../../../g", "http://a/g"), ("../../../../g", "http://a/g"), ("/./g", "http://a/g"), ("/../g", "http://a/g"),
    ("g.", "http://a/b/c/g."), (".g", "http://a/b/c/.g"), ("g..", "http://a/b/c/g.."), ("..g", "http://a/b/c/..g"),
    ("./../g", "http://a/b/g"), ("./g/.", "http://a/b/c/g/"), ("g/./h", "http://a/b/c/g/h"),
    ("g/../h", "http://a/b/c/h"),
    ("g;x=1/./y", "http://a/b/c/g;x=1/y"), ("g;x=1/../y", "http://a/b/c/y"), ("g?y/./x", "http://a/b/c/g?y/./x"),
    ("g?y/../x", "http://a/b/c/g?y/../x"), ("g#s/./x", "http://a/b/c/g#s/./x"), ("g#s/../x", "http://a/b/c/g#s/../x"),
    ("http:g", "http:g"),
  ]

  @Test func resolvesEveryRFC3986Example() throws {
    let base = try #require(URIReference("http://a/b/c/d;p?q"))
    for (reference, expected) in Self.rfcExamples {
      let parsed = try #require(URIReference(reference), "\(reference)")
      #expect(parsed.resolved(against: base).text == expected, "\(reference)")
      if !reference.isEmpty {
        #expect(RedirectLocation(reference, relativeTo: "http://a/b/c/d;p?q")?.absolute == expected, "\(reference)")
      }
    }
  }

  @Test func removesDotSegments() {
    let cases = [
      ("/a/b/c/./../../g", "/a/g"), ("mid/content=5/../6", "mid/6"), ("/", "/"), ("", ""), ("/..", "/"), ("/a/..", "/"),
      ("/a/b/..", "/a/"), ("/a/.", "/a/"), ("/a//b/../c", "/a//c"),
    ]
    for (input, expected) in cases { #expect(URIReference.removeDotSegments(input) == expected, "\(input)") }
  }

  struct Case: Sendable, CustomTestStringConvertible {
    var location: String
    var absolute: String
    var scheme: String
    var host: String
    var port: Int?
    var target: String
    var testDescription: String { location }
  }

  static let base = "https://sl.test/a/b?x=1"

  static let cases: [Case] = [
    // Absolute.
    Case(
      location: "https://www.example.com/first?a=1", absolute: "https://www.example.com/first?a=1", scheme: "https",
      host: "www.example.com", target: "/first?a=1"),
    // Scheme, host case and one trailing dot: normalized in the parts, kept in the text.
    Case(
      location: "HTTP://SL2.test./n/xyz", absolute: "HTTP://SL2.test./n/xyz", scheme: "http", host: "sl2.test",
      target: "/n/xyz"),
    // Scheme-relative: takes the base's scheme.
    Case(
      location: "//www.example.com/p", absolute: "https://www.example.com/p", scheme: "https", host: "www.example.com",
      target: "/p"),
    // Absolute path, relative path with dot segments, query only, fragment only.
    Case(
      location: "/landing?q=2", absolute: "https://sl.test/landing?q=2", scheme: "https", host: "sl.test",
      target: "/landing?q=2"),
    Case(location: "c/../d/./e", absolute: "https://sl.test/a/d/e", scheme: "https", host: "sl.test", target: "/a/d/e"),
    Case(location: "../../../up", absolute: "https://sl.test/up", scheme: "https", host: "sl.test", target: "/up"),
    Case(location: "?y=2", absolute: "https://sl.test/a/b?y=2", scheme: "https", host: "sl.test", target: "/a/b?y=2"),
    Case(
      location: "#frag", absolute: "https://sl.test/a/b?x=1#frag", scheme: "https", host: "sl.test", target: "/a/b?x=1"),
    // Userinfo is never the host; explicit ports; an empty path is `/` in the target.
    Case(
      location: "https://sl.test@127.0.0.1:8443/secret", absolute: "https://sl.test@127.0.0.1:8443/secret",
      scheme: "https",
      host: "127.0.0.1", port: 8443, target: "/secret"),
    Case(
      location: "https://www.example.com", absolute: "https://www.example.com", scheme: "https",
      host: "www.example.com", target: "/"),
    Case(
      location: "http://h.example:/x", absolute: "http://h.example:/x", scheme: "http", host: "h.example", target: "/x"),
    Case(
      location: "http://[::1]:8080/x", absolute: "http://[::1]:8080/x", scheme: "http", host: "::1", port: 8080,
      target: "/x"),
    Case(
      location: "https://h.example:99999/", absolute: "https://h.example:99999/", scheme: "https", host: "h.example",
      port: 99_999, target: "/"),
    // Dot segments are removed from absolute references too (RFC 3986 §5.2.2).
    Case(
      location: "https://www.example.com/a/./b/../c", absolute: "https://www.example.com/a/c", scheme: "https",
      host: "www.example.com", target: "/a/c"),
    // Percent-encoded host bytes are decoded in the host; escapes elsewhere stay as written.
    Case(
      location: "https://sl%2Etest/a%2Fb", absolute: "https://sl%2Etest/a%2Fb", scheme: "https", host: "sl.test",
      target: "/a%2Fb"),
    // Bytes that may not appear in a URL are percent-encoded, as are lone '%'.
    Case(
      location: "/a b/é?q=x y&p=100%", absolute: "https://sl.test/a%20b/%C3%A9?q=x%20y&p=100%25", scheme: "https",
      host: "sl.test", target: "/a%20b/%C3%A9?q=x%20y&p=100%25"),
    // Other schemes are URLs too (the resolver returns them; the platform's parsers judge them).
    Case(
      location: "xhsdiscover://item/1", absolute: "xhsdiscover://item/1", scheme: "xhsdiscover", host: "item",
      target: "/1"),
    Case(
      location: "mailto:someone@example.com", absolute: "mailto:someone@example.com", scheme: "mailto", host: "",
      target: "someone@example.com"),
  ]

  @Test(arguments: cases)
  func resolvesAgainstTheRequestedURL(_ c: Case) throws {
    let location = try #require(RedirectLocation(c.location, relativeTo: Self.base))
    #expect(location.absolute == c.absolute)
    #expect(location.scheme == c.scheme)
    #expect(location.host == c.host)
    #expect(location.port == c.port)
    #expect(location.target == c.target)
  }

  @Test func refusesWhatIsNotAURL() {
    // Bad port, unclosed IP literal, control bytes, a leading space, a relative path whose first
    // segment has a colon (`1a` is not a scheme).
    for location in ["", "https://h.example:8o/", "http://[::1/x", "/a\u{0}b", "/a\r\nSet-Cookie: x", " /x", "1a:b"] {
      #expect(RedirectLocation(location, relativeTo: Self.base) == nil, "\(location.debugDescription)")
    }
    // The base must be absolute.
    #expect(RedirectLocation("/x", relativeTo: "/relative/base") == nil)
  }

  @Test func contactableMeansHTTPOnADeclaredHostAtTheDefaultPort() throws {
    let hosts: Set<String> = ["sl.test"]
    func contactable(_ location: String) throws -> Bool {
      try #require(RedirectLocation(location, relativeTo: Self.base)).isContactable(within: hosts)
    }
    #expect(try contactable("/next"))
    #expect(try contactable("http://SL.test./next"))
    #expect(try contactable("https://sl.test:443/next"))
    #expect(try contactable("https://user:pw@sl.test/next"))
    #expect(try !contactable("https://sl.test:8443/next"))
    #expect(try !contactable("ftp://sl.test/next"))
    #expect(try !contactable("https://sl.test@evil.example/next"))
    #expect(try !contactable("https://evil.example/next"))
  }

  @Test func firstValueEndsAtAJoinedRepeat() {
    #expect(RedirectLocation.firstValue(" https://a.example/x, https://b.example/y ") == "https://a.example/x")
    #expect(RedirectLocation.firstValue("https://a.example/x,y") == "https://a.example/x,y")
  }
}
