import LinkNormalizerCore
import LinkNormalizerTestSupport
import Testing

@Suite struct RegistryTests {
  func link(_ text: String) throws -> ParsedLink { try #require(ParsedLink(text)) }

  @Test func higherPriorityFirstThenRegistrationOrder() throws {
    var registry = NormalizerRegistry()
    registry.register(RecordingNormalizer(name: "low", hosts: ["a.test"], behavior: .decline("x")), priority: 1)
    registry.register(RecordingNormalizer(name: "high", hosts: ["a.test"], behavior: .decline("x")), priority: 9)
    registry.register(RecordingNormalizer(name: "mid-1", hosts: ["a.test"], behavior: .decline("x")), priority: 5)
    registry.register(RecordingNormalizer(name: "mid-2", hosts: ["a.test"], behavior: .decline("x")), priority: 5)
    let names = registry.candidates(for: try link("https://a.test/x")).map(\.name)
    #expect(names == ["high", "mid-1", "mid-2", "low"])
  }

  @Test func orderIsDeterministicAcrossBuilds() throws {
    func build() -> [String] {
      var registry = NormalizerRegistry()
      for i in 0..<50 {
        registry.register(
          RecordingNormalizer(name: "h\(i)", hosts: ["a.test", "b.test"], behavior: .decline("x")), priority: i % 3)
      }
      return registry.candidates(for: ParsedLink("https://b.test/")!).map(\.name)
    }
    let first = build()
    for _ in 0..<5 { #expect(build() == first) }
  }

  @Test func routesByExactHostCaseInsensitively() throws {
    var registry = NormalizerRegistry()
    registry.register(RecordingNormalizer(name: "a", hosts: ["www.a.test"], behavior: .decline("x")))
    #expect(registry.candidates(for: try link("https://WWW.A.TEST/x")).map(\.name) == ["a"])
    #expect(registry.candidates(for: try link("https://www.a.test./x")).map(\.name) == ["a"])
    #expect(registry.candidates(for: try link("https://a.test/x")).isEmpty)
    #expect(registry.candidates(for: try link("https://www.a.test.evil.example/x")).isEmpty)
    #expect(registry.candidates(for: try link("https://www.a.test@evil.example/x")).isEmpty)
  }

  @Test func anyHostHandlersMergeByPriority() throws {
    var registry = NormalizerRegistry()
    registry.register(RecordingNormalizer(name: "specific", hosts: ["a.test"], behavior: .decline("x")), priority: 5)
    registry.register(RecordingNormalizer(name: "anywhere-high", behavior: .decline("x")), priority: 7)
    registry.register(RecordingNormalizer(name: "anywhere-low", behavior: .decline("x")), priority: 1)
    #expect(
      registry.candidates(for: try link("https://a.test/")).map(\.name) == [
        "anywhere-high", "specific", "anywhere-low",
      ])
    #expect(registry.candidates(for: try link("https://other.test/")).map(\.name) == ["anywhere-high", "anywhere-low"])
  }

  @Test func dryRunOnlyListsHandlersThatAccept() throws {
    var registry = NormalizerRegistry()
    registry.register(
      RecordingNormalizer(
        name: "paths", hosts: ["a.test"], behavior: .decline("x"), accepts: { $0.path.hasPrefix("/p/") }))
    registry.register(RecordingNormalizer(name: "all", hosts: ["a.test"], behavior: .decline("x")), priority: -1)
    let chain = FallbackChain(registry: registry)
    #expect(chain.plan(for: "see https://a.test/p/1 now").handlers.map(\.name) == ["paths", "all"])
    #expect(chain.plan(for: "https://a.test/q/1").handlers.map(\.name) == ["all"])
    #expect(chain.plan(for: "no link here").link == nil)
    let recorder = RecordingNormalizer(name: "r", hosts: ["a.test"], behavior: .succeed(id: "1"))
    var probe = NormalizerRegistry()
    probe.register(recorder)
    _ = FallbackChain(registry: probe).plan(for: "https://a.test/x")
    #expect(recorder.recordedCalls.isEmpty, "a dry run must not normalize")
  }

  @Test func reRegisteringANameReplacesTheHandler() throws {
    var registry = NormalizerRegistry()
    registry.register(RecordingNormalizer(name: "x", hosts: ["a.test"], behavior: .decline("old")), priority: 1)
    registry.register(RecordingNormalizer(name: "y", hosts: ["a.test"], behavior: .decline("y")), priority: 1)
    registry.register(RecordingNormalizer(name: "x", hosts: ["b.test"], behavior: .decline("new")), priority: 1)
    #expect(registry.candidates(for: try link("https://a.test/")).map(\.name) == ["y"])
    #expect(registry.candidates(for: try link("https://b.test/")).map(\.name) == ["x"])
    #expect(registry.allEntries.count == 2)
    #expect(registry.unregister { $0.name == "y" } == 1)
    #expect(registry.candidates(for: try link("https://a.test/")).isEmpty)
  }

  @Test func registriesAreIndependentValues() throws {
    var base = NormalizerRegistry()
    base.register(RecordingNormalizer(name: "a", hosts: ["a.test"], behavior: .decline("x")))
    var extended = base
    extended.register(RecordingNormalizer(name: "b", hosts: ["a.test"], behavior: .decline("x")))
    #expect(base.candidates(for: try link("https://a.test/")).count == 1)
    #expect(extended.candidates(for: try link("https://a.test/")).count == 2)
  }
}
