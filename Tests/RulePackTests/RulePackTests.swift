import Foundation
import LinkNormalizerCore
import LinkNormalizerTestSupport
import RemoteResolution
import RulePacks
import Testing
import XiaohongshuPlugin

@Suite struct RulePackTests {
  static let acme = """
    {
      "platform": "acme",
      "hosts": ["acme.example", "WWW.Acme.Example"],
      "forms": [
        {"kind": "post", "pattern": "^/p/(?<id>[0-9]+)/?(?:\\\\?|$)", "canonical": "https://acme.example/p/{id}"},
        {"kind": "post", "pattern": "^/u/(?<uid>[a-z]+)/p/(?<id>[0-9]+)/?(?:\\\\?|$)",
         "canonical": "https://acme.example/p/{id}", "identifiers": {"uid": "author"}, "hosts": ["www.acme.example"]}
      ],
      "keep": ["lang", {"name": "page", "field": "page_number", "pattern": "^[2-9]$"}],
      "short_links": {"hosts": ["acme.link"], "pattern": "^/[A-Za-z0-9]{4,16}/?$",
                      "share_convert_path": "/api/acme/share-url-transfer/v1"},
      "examples": [
        {"input": "https://acme.example/p/1?lang=en&utm_source=x", "kind": "post", "id": "1",
         "canonical": "https://acme.example/p/1?lang=en", "parameters": {"lang": "en"}},
        {"input": "look: www.acme.example/u/bob/p/7?page=3，wow", "kind": "post", "id": "7",
         "canonical": "https://acme.example/p/7?page=3", "identifiers": {"author": "bob"},
         "parameters": {"page_number": "3"}},
        {"input": "https://acme.example/p/1?page=1", "kind": "post", "id": "1", "canonical": "https://acme.example/p/1"},
        {"input": "https://acme.link/AbCd12", "error": "needs_network"},
        {"input": "https://acme.example/", "error": "unsupported"}
      ]
    }
    """

  func load(_ json: String) throws(RulePackError) -> [Platform] {
    try RulePack.parse(Data(json.utf8), file: "test.json")
  }

  @Test func aPackDeclaresAWholePlatform() async throws {
    let packs = try load(Self.acme)
    #expect(packs.count == 1)
    let pack = try #require(packs.first)
    #expect(pack.name == "acme")
    #expect(pack.parsers.map(\.name) == ["acme.rules"])
    #expect(pack.shortLinks?.hosts == ["acme.link"])
    #expect(pack.shortLinks?.shareConvertPath == "/api/acme/share-url-transfer/v1")
    #expect(pack.examples.count == 5)
    let mismatches = await ExampleRunner.run([], packs: packs)
    #expect(mismatches.isEmpty, "\(mismatches.map(\.description).joined(separator: "\n"))")
    #expect(ExampleRunner.ambiguousClaims(packs).isEmpty)
  }

  @Test func aFileMayHoldSeveralPacks() throws {
    let json = """
      [{"platform": "one", "hosts": ["one.example"], "forms": [{"kind": "k", "pattern": "^/(?<id>\\\\d+)$", "canonical": "https://one.example/{id}"}]},
       {"platform": "two", "hosts": ["two.example"], "forms": [{"kind": "k", "pattern": "^/(?<id>\\\\d+)$", "canonical": "https://two.example/{id}"}]}]
      """
    #expect(try load(json).map(\.name) == ["one", "two"])
  }

  @Test func badPacksNameTheFileThePathAndTheProblem() {
    func problem(_ json: String) -> RulePackError? {
      do {
        _ = try load(json)
        return nil
      } catch {
        return error
      }
    }
    let form = #"{"kind": "k", "pattern": "^/(?<id>\\d+)$", "canonical": "https://x.example/{id}"}"#
    let cases: [(String, String, String)] = [
      ("{not json", "$", "not valid JSON"),
      (#"{"hosts": ["x.example"], "forms": [\#(form)]}"#, "$.platform", "missing"),
      (#"{"platform": "x", "forms": [\#(form)]}"#, "$.hosts", "missing"),
      (#"{"platform": "x", "hosts": ["x.example"], "forms": []}"#, "$.forms", "non-empty"),
      (#"{"platform": "X Y", "hosts": ["x.example"], "forms": [\#(form)]}"#, "$.platform", "lower-case"),
      (#"{"platform": "x", "hosts": ["http://x.example/"], "forms": [\#(form)]}"#, "$.hosts[0]", "not a host"),
      (
        #"{"platform": "x", "hosts": ["x.example"], "forms": [\#(form), {"kind": "k", "pattern": "^/(?<id>[0-9+)", "canonical": "https://x.example/{id}"}]}"#,
        "$.forms[1].pattern", "PCRE2 error at offset 14: missing terminating ]"
      ),
      (
        #"{"platform": "x", "hosts": ["x.example"], "forms": [{"kind": "k", "pattern": "^/(\\d+)$", "canonical": "https://x.example/"}]}"#,
        "$.forms[0].pattern", "named group `id`"
      ),
      (
        #"{"platform": "x", "hosts": ["x.example"], "forms": [{"kind": "k", "pattern": "^/(?<id>\\d+)$", "canonical": "https://x.example/{nope}"}]}"#,
        "$.forms[0]", "{nope}"
      ),
      (
        #"{"platform": "x", "hosts": ["x.example"], "forms": [{"kind": "k", "pattern": "^/(?<id>\\d+)$", "canonical": "x.example/{id}"}]}"#,
        "$.forms[0]", "must start with http"
      ),
      (#"{"platform": "x", "hosts": ["x.example"], "forms": [\#(form)], "colour": 1}"#, "$.colour", "unknown field"),
      (
        #"{"platform": "x", "hosts": ["x.example"], "forms": [{"kind": "k", "pattern": "^/(?<id>\\d+)$", "canonical": "https://x.example/{id}", "hosts": ["y.example"]}]}"#,
        "$.forms[0].hosts", "among the platform's hosts"
      ),
      (
        #"{"platform": "x", "hosts": ["x.example"], "forms": [\#(form)], "keep": [{"name": "p", "pattern": "("}]}"#,
        "$.keep[0].pattern", "PCRE2 error"
      ),
      (
        #"{"platform": "x", "hosts": ["x.example"], "forms": [\#(form)], "short_links": {"hosts": ["s.example"], "pattern": "^/x$", "share_convert_path": "api"}}"#,
        "$.short_links.share_convert_path", "starting with /"
      ),
      (
        #"{"platform": "x", "hosts": ["x.example"], "forms": [{"kind": "k", "pattern": "^/(?<id>\\d+)$", "canonical": "https://x.example/{id}", "identifiers": {"id2": "url"}}]}"#,
        "$.forms[0]", "id2"
      ),
    ]
    for (json, path, fragment) in cases {
      let error = problem(json)
      #expect(error != nil, "\(json) should be refused")
      guard let error else { continue }
      #expect(error.file == "test.json")
      #expect(error.path == path, "\(json): \(error)")
      #expect(error.description.contains(fragment), "\(error) should mention \(fragment)")
    }
  }

  @Test func aPackOverridesABuiltInPlatformsPatterns() async throws {
    let override = """
      {"platform": "xiaohongshu", "hosts": ["www.xiaohongshu.com"],
       "forms": [{"kind": "note", "pattern": "^/explore/(?<id>[0-9a-f]{24})/?(?:\\\\?|$)",
                  "canonical": "https://www.xiaohongshu.com/discovery/item/{id}"}]}
      """
    let packs = try load(override)
    let chain = FallbackChain(
      registry: ExampleRunner.registry(for: [Xiaohongshu.platform], packs: packs), offline: true)
    let overridden = await chain.normalize("https://www.xiaohongshu.com/explore/69a8b0b9000000001a02fb14")
    #expect(overridden.link?.handler == "xiaohongshu.rules")
    #expect(overridden.link?.canonicalURL == "https://www.xiaohongshu.com/discovery/item/69a8b0b9000000001a02fb14")
    // Forms the pack does not cover still reach the built-in parser.
    let builtIn = await chain.normalize("https://www.xiaohongshu.com/user/profile/5ff0e6410000000001008400")
    #expect(builtIn.link?.handler == "xiaohongshu.url")
  }

  @Test func loadingAMissingFileFails() {
    #expect(throws: RulePackError.self) { _ = try RulePack.load(contentsOf: "/nonexistent/pack.json") }
    do {
      _ = try RulePack.load(contentsOf: "/nonexistent/pack.json")
    } catch {
      #expect(error.file == "/nonexistent/pack.json")
      #expect(error.path == "$")
      #expect(error.message == "cannot read the file: No such file or directory")
    }
    do {
      _ = try RulePack.load(contentsOf: NSTemporaryDirectory())
      Issue.record("a directory is not a pack")
    } catch {
      #expect(error.message.hasPrefix("cannot read the file: "))
    }
  }

  @Test func loadsAFileFromDisk() throws {
    let path = NSTemporaryDirectory() + "rulepack-\(UUID().uuidString).json"
    try Data(Self.acme.utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let packs = try RulePack.load(contentsOf: path)
    #expect(packs.map(\.name) == ["acme"])
    #expect(packs.first?.examples.count == 5)
  }

  @Test func jsonSyntaxErrorsNameTheLineAndColumn() {
    let cases: [(String, String)] = [
      (
        "{\n  \"platform\": \"x\",\n  \"hosts\": [\"x.example\"\n}",
        "not valid JSON at line 4, column 1: unexpected '}'"
      ),
      ("{\"platform\": \"x\",}", "not valid JSON at line 1, column 18: "),
      ("[{}] trailing", "not valid JSON at line 1, column 6: "),
      ("", "not valid JSON at line 1, column 1: unexpected end"),
    ]
    for (json, prefix) in cases {
      do {
        _ = try RulePack.parse(Array(json.utf8), file: "test.json")
        Issue.record("\(json) should be refused")
      } catch {
        #expect(error.path == "$")
        #expect(error.message.hasPrefix(prefix), "\(error)")
      }
    }
  }

  @Test func aTopLevelValueThatIsNotAPackIsRefusedWithItsPath() {
    for (json, path) in [("\"text\"", "$"), ("[1]", "$[0]"), ("null", "$")] {
      do {
        _ = try load(json)
        Issue.record("\(json) should be refused")
      } catch {
        #expect(error.path == path)
        #expect(error.message == "expected an object")
      }
    }
  }
}

@Suite struct RulePackNetworkBoundaryTests {
  /// A pack's short links may only ever make the redirect resolver contact the hosts the pack
  /// declares, however its short-link host answers.
  @Test func aPackCannotMakeTheRedirectResolverContactUndeclaredHosts() async throws {
    let victim = try LoopbackHTTPServer { _ in .json("{}") }
    let shortHost = try LoopbackHTTPServer { request in
      request.path.hasSuffix("hop1") ? .redirect("https://victim.test/steal") : .redirect("https://127.0.0.1/x")
    }
    defer {
      victim.stop()
      shortHost.stop()
    }
    let pack = try RulePack.parse(
      Array(
        #"{"platform": "acme", "hosts": ["acme.example"], "forms": [{"kind": "post", "pattern": "^/p/(?<id>[0-9]+)$", "canonical": "https://acme.example/p/{id}"}], "short_links": {"hosts": ["sl.test"], "pattern": "^/[a-z0-9]{4,}$"}}"#
          .utf8), file: "acme.json"
    ).first!
    #expect(pack.shortLinks?.hosts == ["sl.test"])
    // The test hook maps every host, declared or not, to a loopback server: only the check on
    // declared hosts stands between the resolver and the victim.
    let ports = ["sl.test": shortHost.port, "victim.test": victim.port]
    let resolver = HTTPRedirectResolver(
      configuration: .init(
        retry: RetryPolicy(retries: 0), endpointOverride: { ports[$0].map { RemoteEndpoint(port: $0) } }))
    var registry = NormalizerRegistry()
    registry.install(pack, resolvers: [resolver], parserPriority: Priority.rulePack)
    let chain = FallbackChain(registry: registry)
    for input in ["https://sl.test/hop1", "https://sl.test/hop2", "https://victim.test/abcd"] {
      let record = await chain.normalize(input)
      #expect(record.link == nil, "\(input) must not normalize")
    }
    #expect(shortHost.requestCount == 2)
    #expect(victim.requestCount == 0)
  }
}
