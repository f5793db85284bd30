import LinkNormalizerCore
import LinkNormalizerTestSupport
import PCRE2
import Testing

/// The batch fast path (`attemptSynchronously`, `normalizeSynchronously`) must give exactly the
/// answers of the general path it replaces.
@Suite struct FastPathTests {
  /// Forms chosen to reach every branch: a normal id form, a form that can match without its `id`
  /// group, and a pattern that exhausts its match limit on long subjects.
  func handler() throws -> PatternNormalizer {
    let limits = PCRE2Pattern.Limits(matchLimit: 10_000, depthLimit: 100, heapLimitKiB: 1_024)
    return try PatternNormalizer(
      name: "t.url", platform: "t", hosts: ["t.test", "u.test"],
      forms: [
        URLPattern(kind: "item", "^/i/(?<id>[0-9]+)/?(?:\\?|$)", canonical: "https://t.test/i/{id}"),
        URLPattern(kind: "item", "^/maybe/(?:(?<id>[0-9]+)|none)$", canonical: "https://t.test/i/{id}"),
        URLPattern(
          kind: "slow", pattern: try PCRE2Pattern("^/(?<id>(a|aa)+)$", limits: limits),
          canonical: "https://t.test/s/{id}"),
        URLPattern(kind: "run", "^/(?<id>a+)b", canonical: "https://t.test/r/{id}"),
        URLPattern(kind: "user", "^/u/(?<id>[a-z]+)$", hosts: ["u.test"], canonical: "https://u.test/u/{id}"),
      ],
      keep: [KeptParameter("k"), KeptParameter("n", field: "page", valuePattern: try PCRE2Pattern("^[0-9]+$"))])
  }

  static let links = [
    "https://t.test/i/12", "https://t.test/i/12/?k=a%3Db&n=3&x=1", "https://t.test/i/12?n=x&k=", "https://T.TEST/i/7#f",
    "https://t.test/maybe/5", "https://t.test/maybe/none", "https://t.test/" + String(repeating: "a", count: 60) + "b",
    "https://t.test/" + String(repeating: "a", count: 60) + "b/i/1",
    "https://t.test/" + String(repeating: "a", count: 60) + "c",
    "https://u.test/u/abc", "https://t.test/u/abc",
    "https://v.test/i/1", "t.test/i/9?k=%E4%BD%A0", "https://t.test/i/9?k=%FF",
  ]

  @Test func attemptSynchronouslyAgreesWithAcceptsAndNormalizeSynchronously() throws {
    let handler = try handler()
    for text in Self.links {
      let link = try #require(ParsedLink(text))
      let fused = handler.attemptSynchronously(link)
      guard handler.accepts(link) else {
        guard case .notAccepted = fused else {
          Issue.record("\(text): accepts is false but attemptSynchronously answered \(fused)")
          continue
        }
        continue
      }
      let separate: Result<NormalizerOutcome?, NormalizationError> = Result { () throws(NormalizationError) in
        try handler.normalizeSynchronously(link)
      }
      let separateOutcome: Result<NormalizerOutcome, NormalizationError>
      switch separate {
      case .success(let outcome?): separateOutcome = .success(outcome)
      case .success(nil):
        Issue.record("\(text): a pattern handler always answers synchronously")
        continue
      case .failure(let error): separateOutcome = .failure(error)
      }
      guard case .answered(let answer) = fused else {
        Issue.record("\(text): accepted, but attemptSynchronously answered \(fused)")
        continue
      }
      #expect(describe(answer) == describe(separateOutcome), "\(text)")
    }
  }

  /// Answers fixed by hand, so that a mistake shared by both paths cannot pass unnoticed.
  @Test func knownAnswers() throws {
    let handler = try handler()
    let long = String(repeating: "a", count: 60)
    let expected: [(String, String)] = [
      (
        "https://t.test/i/12/?k=a%3Db&n=3&x=1",
        "normalized item 12 https://t.test/i/12?k=a%3Db&n=3 [\"k=a=b\", \"page=3\"]"
      ),
      ("https://t.test/i/12?n=x&k=", "normalized item 12 https://t.test/i/12 []"),
      // A rejected value before and after a kept one; decoded values that are valid UTF-8 are
      // kept decoded, others as they were.
      ("https://t.test/i/12?n=x&k=v", "normalized item 12 https://t.test/i/12?k=v [\"k=v\"]"),
      ("https://t.test/i/12?k=v&n=x", "normalized item 12 https://t.test/i/12?k=v [\"k=v\"]"),
      ("https://t.test/i/12?n=4&k=v", "normalized item 12 https://t.test/i/12?k=v&n=4 [\"k=v\", \"page=4\"]"),
      ("https://t.test/i/9?k=%E4%BD%A0", "normalized item 9 https://t.test/i/9?k=%E4%BD%A0 [\"k=你\"]"),
      ("https://t.test/i/9?k=%FF", "normalized item 9 https://t.test/i/9?k=%25FF [\"k=%FF\"]"),
      (
        "https://t.test/i/9?k=你&n=12345678901234567890",
        "normalized item 9 https://t.test/i/9?k=%E4%BD%A0&n=12345678901234567890 [\"k=你\", \"page=12345678901234567890\"]"
      ),
      ("https://t.test/maybe/5", "normalized item 5 https://t.test/i/5 []"),
      ("https://t.test/maybe/none", "declined no t URL form matches /maybe/none"),
      // The slow form hits its limit; a later form matches, so the link is taken and fails.
      ("https://t.test/\(long)b", "failed pattern_limit"),
      ("https://u.test/u/abc", "normalized user abc https://u.test/u/abc []"),
    ]
    for (text, answer) in expected {
      let link = try #require(ParsedLink(text))
      guard case .answered(let result) = handler.attemptSynchronously(link) else {
        Issue.record("\(text): not answered")
        continue
      }
      #expect(describe(result) == answer, "\(text)")
    }
    for text in ["https://t.test/\(long)c", "https://t.test/u/abc", "https://v.test/i/1"] {
      let link = try #require(ParsedLink(text))
      guard case .notAccepted = handler.attemptSynchronously(link) else {
        Issue.record("\(text): should not be accepted")
        continue
      }
    }
  }

  @Test func normalizeSynchronouslyMatchesRunOfPrepare() async throws {
    var registry = NormalizerRegistry()
    registry.register(try handler(), priority: 100)
    let fallback = RecordingNormalizer(
      name: "t.fallback", hosts: ["t.test"], behavior: .succeed(id: "fb"), accepts: { $0.path.hasPrefix("/maybe") })
    registry.register(fallback, priority: 50)
    let remote = RecordingNormalizer(
      name: "t.remote", hosts: ["s.test"], requiresNetwork: true, behavior: .succeed(id: "r"))
    registry.register(remote, priority: 100)
    let inputs =
      Self.links + [
        "", "no links here", "see https://v.test/x then https://t.test/i/3，ok", "https://s.test/abc",
        "https://t.test/maybe/none and https://t.test/i/4",
      ]
    for offline in [true, false] {
      let chain = FallbackChain(registry: registry, offline: offline)
      for input in inputs {
        let general = await chain.run(chain.prepare(input))
        var pending: FallbackChain.PreparedInput? = nil
        guard let fast = chain.normalizeSynchronously(input, pending: &pending) else {
          // Only an input whose chain reaches an asynchronous handler may leave the fast path.
          #expect(chain.runSynchronously(chain.prepare(input)) == nil, "\(input)")
          // Going on from where it stopped gives the general path's record.
          let resumed = await chain.run(try #require(pending, "\(input)"))
          #expect(resumed.link == general.link, "\(input) offline=\(offline)")
          #expect(resumed.error == general.error, "\(input) offline=\(offline)")
          #expect(resumed.attempts.map(\.handler) == general.attempts.map(\.handler), "\(input)")
          #expect(resumed.attempts.map(\.outcome) == general.attempts.map(\.outcome), "\(input)")
          continue
        }
        #expect(fast.link == general.link, "\(input) offline=\(offline)")
        #expect(fast.error == general.error, "\(input) offline=\(offline)")
        #expect(fast.url == general.url, "\(input)")
        #expect(fast.attempts.map(\.handler) == general.attempts.map(\.handler), "\(input)")
        #expect(fast.attempts.map(\.outcome) == general.attempts.map(\.outcome), "\(input)")
      }
    }
  }

  /// A short link's cache entry is looked up once per input, whether the run ends synchronously
  /// (offline, or on a hit) or goes on to a remote handler (online miss): one miss counted, one
  /// cache attempt in the record.
  @Test func aCacheIsAskedOncePerInput() async throws {
    let spec = ShortLinkSpec(platform: "t", hosts: ["s.test"], pattern: try PCRE2Pattern("^/[a-z0-9]{3,}$"))
    for offline in [true, false] {
      let cache = ResolutionCacheAccess(store: InMemoryResolutionCache())
      var registry = NormalizerRegistry()
      registry.register(CachedShortLinkNormalizer(spec: spec, cache: cache, parsers: []), priority: Priority.cache)
      registry.register(
        RecordingNormalizer(name: "t.remote", hosts: ["s.test"], requiresNetwork: true, behavior: .succeed(id: "r")),
        priority: Priority.firstResolver)
      let chain = FallbackChain(registry: registry, offline: offline)
      var pending: FallbackChain.PreparedInput? = nil
      let record: NormalizationRecord
      if let fast = chain.normalizeSynchronously("https://s.test/abc", pending: &pending) {
        record = fast
      } else {
        record = await chain.run(try #require(pending))
      }
      #expect(record.attempts.map(\.handler) == ["t.cache", "t.remote"], "offline=\(offline)")
      #expect(record.attempts.map(\.outcome) == [.declined, offline ? .skipped : .succeeded], "offline=\(offline)")
      #expect(cache.statistics.misses == 1, "offline=\(offline)")
      #expect(cache.statistics.hits == 0)
    }
  }

  @Test func extractedLinksAreMarkedPlainText() throws {
    let found = LinkExtractor.links(in: "a \"quoted\" https://t.test/i/1?q=\\x and https://t.test/i/2")
    #expect(found.map(\.text) == ["https://t.test/i/1?q=", "https://t.test/i/2"])
    #expect(found.allSatisfy { $0.isPlainText })
    // A link parsed directly may hold anything; it is not assumed plain.
    let direct = try #require(ParsedLink("https://t.test/i/1?q=\"x\""))
    #expect(!direct.isPlainText)
  }

  private func describe(_ answer: Result<NormalizerOutcome, NormalizationError>) -> String {
    switch answer {
    case .failure(let error): return "failed \(error.code.rawValue)"
    case .success(.declined(let reason)): return "declined \(reason)"
    case .success(.skipped(let error)): return "skipped \(error.code.rawValue)"
    case .success(.normalized(let link)):
      return
        "normalized \(link.kind) \(link.id) \(link.canonicalURL) \(link.parameters.map { "\($0.name)=\($0.value)" })"
    }
  }
}
