import LinkNormalizerCore
import LinkNormalizerTestSupport
import Testing

@Suite struct FallbackChainTests {
  func chain(_ handlers: [(RecordingNormalizer, Int)], offline: Bool = false) -> FallbackChain {
    var registry = NormalizerRegistry()
    for (handler, priority) in handlers { registry.register(handler, priority: priority) }
    return FallbackChain(registry: registry, offline: offline)
  }

  @Test func firstSuccessWinsAndEveryAttemptIsRecorded() async throws {
    let declining = RecordingNormalizer(name: "declines", hosts: ["a.test"], behavior: .decline("not mine"))
    let failing = RecordingNormalizer(
      name: "fails", hosts: ["a.test"], behavior: .fail(NormalizationError("boom", "it broke")))
    let winning = RecordingNormalizer(name: "wins", hosts: ["a.test"], behavior: .succeed(id: "42"))
    let never = RecordingNormalizer(name: "never", hosts: ["a.test"], behavior: .succeed(id: "0"))
    let record = await chain([(declining, 4), (failing, 3), (winning, 2), (never, 1)]).normalize("x https://a.test/y z")
    let link = try #require(record.link)
    #expect(link.id == "42")
    #expect(link.handler == "wins")
    #expect(record.url == "https://a.test/y")
    #expect(record.attempts.map(\.handler) == ["declines", "fails", "wins"])
    #expect(record.attempts.map(\.outcome) == [.declined, .failed, .succeeded])
    #expect(record.attempts[1].error?.code == "boom")
    #expect(record.attempts[0].note == "not mine")
    #expect(never.recordedCalls.isEmpty)
  }

  @Test func lastFailureDecidesTheErrorThenSkipsThenUnsupported() async throws {
    let skip = RecordingNormalizer(
      name: "skip", hosts: ["a.test"], behavior: .skip(NormalizationError(.needsNetwork, "no network")))
    let fail1 = RecordingNormalizer(name: "f1", hosts: ["a.test"], behavior: .fail(NormalizationError("first", "1")))
    let fail2 = RecordingNormalizer(name: "f2", hosts: ["a.test"], behavior: .fail(NormalizationError("second", "2")))
    let decline = RecordingNormalizer(name: "d", hosts: ["a.test"], behavior: .decline("nope"))
    var record = await chain([(fail1, 4), (skip, 3), (fail2, 2), (decline, 1)]).normalize("https://a.test/")
    #expect(record.error?.code == "second")
    record = await chain([(decline, 2), (skip, 1)]).normalize("https://a.test/")
    #expect(record.error?.code == .needsNetwork)
    record = await chain([(decline, 1)]).normalize("https://a.test/")
    #expect(record.error?.code == .unsupported)
    #expect(record.error?.message.contains("nope") == true)
  }

  @Test func offlineSkipsNetworkHandlersWithoutCallingThem() async throws {
    let remote = RecordingNormalizer(
      name: "remote", hosts: ["s.test"], requiresNetwork: true, behavior: .succeed(id: "1"))
    let record = await chain([(remote, 1)], offline: true).normalize("https://s.test/abc")
    #expect(record.error?.code == .needsNetwork)
    #expect(record.attempts.map(\.outcome) == [.skipped])
    #expect(remote.recordedCalls.isEmpty)
    let online = await chain([(remote, 1)]).normalize("https://s.test/abc")
    #expect(online.link?.id == "1")
  }

  @Test func noLinkAndUnknownHosts() async {
    let handler = RecordingNormalizer(name: "a", hosts: ["a.test"], behavior: .succeed(id: "1"))
    let c = chain([(handler, 1)])
    #expect(await c.normalize("").error?.code == .noLink)
    #expect(await c.normalize("   \t ").error?.code == .noLink)
    #expect(await c.normalize("just words, no links.").error?.code == .noLink)
    let unknown = await c.normalize("https://b.test/x")
    #expect(unknown.error?.code == .unsupported)
    #expect(unknown.url == "https://b.test/x")
  }

  @Test func takesTheFirstRecognizedLinkInText() async throws {
    let handler = RecordingNormalizer(name: "a", hosts: ["a.test"], behavior: .succeed(id: "1"))
    let record = await chain([(handler, 1)]).normalize("see https://b.test/1 and then https://a.test/2，thanks")
    #expect(record.url == "https://a.test/2")
    #expect(record.link?.handler == "a")
  }

  @Test func synchronousPathMatchesTheAsyncPath() async throws {
    var registry = NormalizerRegistry()
    let pattern = try PatternNormalizer(
      name: "t.url", platform: "t", hosts: ["t.test"],
      forms: [URLPattern(kind: "item", "^/i/(?<id>[0-9]+)/?(?:\\?|$)", canonical: "https://t.test/i/{id}")],
      keep: [KeptParameter("k")])
    registry.register(pattern)
    let chain = FallbackChain(registry: registry)
    for input in ["https://t.test/i/12?k=a%3Db&x=1", "https://t.test/j/1", "nothing", "https://x.test/"] {
      let prepared = chain.prepare(input)
      let sync = try #require(chain.runSynchronously(prepared))
      let async = await chain.run(prepared)
      #expect(sync.link == async.link)
      #expect(sync.error == async.error)
      #expect(sync.attempts.map(\.outcome) == async.attempts.map(\.outcome))
    }
    let remote = RecordingNormalizer(
      name: "remote", hosts: ["t.test"], requiresNetwork: true, behavior: .succeed(id: "1"))
    registry.register(remote, priority: 200)
    #expect(
      FallbackChain(registry: registry).runSynchronously(
        FallbackChain(registry: registry).prepare("https://t.test/i/1")) == nil)
  }
}
