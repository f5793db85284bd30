import LinkNormalizerCore
import Testing

@Suite struct ExtractionTests {
  func texts(_ input: String, known: Set<String> = []) -> [String] {
    LinkExtractor.links(in: input, isKnownHost: { known.contains($0.host) }).map(\.text)
  }

  @Test func shareTextForms() {
    #expect(
      texts("13 我是DM发布了一篇小红书笔记，快来看吧！ 😆 F02MULzeoQVJ7YY 😆 http://xhslink.com/GQ0MHB，复制本条信息，打开【小红书】App查看精彩内容！")
        == ["http://xhslink.com/GQ0MHB"])
    #expect(
      texts(
        "44 【标题 - 作者 | 小红书 - 你的生活指南】 😆 Inw56apL6vWYuoS 😆 https://www.xiaohongshu.com/discovery/item/abc?source=webshare&xsec_token=T%3D"
      )
        == ["https://www.xiaohongshu.com/discovery/item/abc?source=webshare&xsec_token=T%3D"])
    #expect(texts("标题... http://xhslink.com/o/7fp0jbJ0uh \n复制后打开【小红书】查看笔记！") == ["http://xhslink.com/o/7fp0jbJ0uh"])
  }

  @Test func cutsAtFullWidthPunctuationAndUnsafeCharacters() {
    for cut in [
      "，", "。", "；", "！", "？", "、", "【", "】", "《", "》", "\"", "<", ">", "\\", "^", "`", "{", "|", "}", " ", "\t",
      "\u{3000}", "😆", "中",
    ] {
      #expect(texts("https://a.test/x\(cut)tail") == ["https://a.test/x"], "cut at \(cut)")
    }
  }

  @Test func trimsTrailingPunctuationButKeepsEquals() {
    #expect(texts("(see https://a.test/x).") == ["https://a.test/x"])
    #expect(texts("https://a.test/x?t=abc=,") == ["https://a.test/x?t=abc="])
    #expect(texts("https://a.test/x?t=abc%3D!") == ["https://a.test/x?t=abc%3D"])
  }

  @Test func schemeLessLinks() {
    #expect(texts("open www.a.test/x please") == ["www.a.test/x"])
    #expect(texts("a.test") == [])
    #expect(texts("a.test", known: ["a.test"]) == ["a.test"])
    #expect(texts("version 1.2 and e.g. this") == [])
    #expect(texts("file.txt") == [])
  }

  @Test func schemesAreCaseInsensitiveAndOthersIgnored() {
    #expect(texts("HTTPS://A.TEST/x") == ["HTTPS://A.TEST/x"])
    #expect(texts("ftp://a.test/x") == [])
    #expect(texts("javascript://a.test/x") == [])
    #expect(texts("看吧https://a.test/x") == ["https://a.test/x"])
  }

  @Test func manyLinksOnOneLineInOrder() {
    let line = (0..<3_000).map { "https://h\($0).test/p" }.joined(separator: " ")
    let found = texts(line)
    #expect(found.count == 3_000)
    #expect(found.first == "https://h0.test/p")
    #expect(found.last == "https://h2999.test/p")
  }

  @Test func binaryJunkNeverCrashes() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<500 {
      let bytes = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in
        UInt8.random(in: 0...255, using: &generator)
      }
      let text = String(decoding: bytes, as: UTF8.self)
      for link in LinkExtractor.links(in: text) { _ = (link.host, link.path, link.query, link.target) }
    }
  }
}

@Suite struct ParsedLinkTests {
  @Test func parts() throws {
    let link = try #require(ParsedLink("HTTPS://user:pw@WWW.Example.COM.:8443/a/b?x=1&y=%3D#frag"))
    #expect(link.scheme == "https")
    #expect(link.host == "www.example.com")
    #expect(link.port == 8443)
    #expect(link.path == "/a/b")
    #expect(link.query == "x=1&y=%3D")
    #expect(link.fragment == "frag")
    #expect(link.target == "/a/b?x=1&y=%3D")
    #expect(link.queryValue("y") == "=")
    #expect(link.queryValue("x") == "1")
    #expect(link.queryValue("z") == nil)
  }

  @Test func userinfoCannotSpoofTheHost() throws {
    #expect(try #require(ParsedLink("http://www.a.test@evil.example/x")).host == "evil.example")
    #expect(try #require(ParsedLink("http://www.a.test:80@evil.example/x")).host == "evil.example")
    #expect(try #require(ParsedLink("https://www.a.test.evil.example/x")).host == "www.a.test.evil.example")
    // User info may hold anything a host may not; only the part after the last '@' is the host.
    #expect(try #require(ParsedLink("http://a_b@evil.example/")).host == "evil.example")
    #expect(try #require(ParsedLink("http://a@b@c.test/")).host == "c.test")
    #expect(try #require(ParsedLink("http://h.te_st:80@x.test:81/")).host == "x.test")
    #expect(try #require(ParsedLink("http://h.te_st:80@x.test:81/")).port == 81)
    #expect(try #require(ParsedLink("http://x.test:/")).port == nil)
  }

  @Test func rejectsWhatIsNotALink() {
    #expect(ParsedLink("ftp://a.test/") == nil)
    #expect(ParsedLink("https:///x") == nil)
    #expect(ParsedLink("https://a.test:99999/") == nil)
    #expect(ParsedLink("https://a_b.test/") == nil)
    #expect(ParsedLink("https://[::1]/") == nil)
    #expect(ParsedLink("https://a.test:80:90/") == nil)
    #expect(ParsedLink("https://a.test:8x/") == nil)
    #expect(ParsedLink("https://u:p@a_b.test/") == nil)
    #expect(ParsedLink("https://a.test@/") == nil)
    #expect(ParsedLink("") == nil)
  }

  @Test func emptyPathTargets() throws {
    #expect(try #require(ParsedLink("https://a.test")).target == "/")
    #expect(try #require(ParsedLink("https://a.test?q=1")).target == "/?q=1")
  }

  @Test func queryValuesDecodeExactlyOnce() throws {
    let link = try #require(ParsedLink("https://a.test/?t=AB%2BCD%252F%3D&p=a+b&bad=%ZZ%4&empty&e="))
    #expect(link.queryValue("t") == "AB+CD%2F=")
    #expect(link.queryValue("p") == "a+b")
    #expect(link.queryValue("bad") == "%ZZ%4")
    #expect(link.queryValue("empty") == "")
    #expect(link.queryValue("e") == "")
    #expect(link.queryValue("emp") == nil)
  }
}

@Suite struct PercentEncodingTests {
  @Test func decodeThenEncodeIsStable() {
    for raw in ["CBHREJ1TsBOQ_uj3483UeSzWv_JcOIKPbKiH6mlSERU58%3D", "a%2Bb", "%25", "%23%26%3B", "plain-._~"] {
      let once = PercentEncoding.encodeComponent(PercentEncoding.decodeOnce(raw))
      let twice = PercentEncoding.encodeComponent(PercentEncoding.decodeOnce(once))
      #expect(once == twice)
    }
    #expect(PercentEncoding.encodeComponent("a=b&c d/é") == "a%3Db%26c%20d%2F%C3%A9")
  }

  @Test func invalidUTF8EscapesStayEncoded() {
    #expect(PercentEncoding.decodeOnce("%FF%FE") == "%FF%FE")
    #expect(PercentEncoding.decodeOnce("%E4%B8%AD") == "中")
  }
}
