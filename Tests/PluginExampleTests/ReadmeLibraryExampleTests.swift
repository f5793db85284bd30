import LinkNormalizerCore
import Testing
import XiaohongshuPlugin

/// The README's "Library" section, kept compiling and checked: if the documented API drifts, this
/// stops building; if the documented behaviour drifts, it fails.
@Suite struct ReadmeLibraryExampleTests {
  @Test func theLibraryExampleWorksAsDocumented() async throws {
    var registry = NormalizerRegistry()
    registry.install(Xiaohongshu.platform)
    let chain = FallbackChain(registry: registry, offline: true)

    let record = await chain.normalize("分享 https://www.xiaohongshu.com/explore/69a8b0b9000000001a02fb14，看看")
    let link = try #require(record.link)
    #expect(link.platform == "xiaohongshu")
    #expect(link.kind == "note")
    #expect(link.id == "69a8b0b9000000001a02fb14")
    #expect(link.canonicalURL == "https://www.xiaohongshu.com/explore/69a8b0b9000000001a02fb14")
    #expect(link.handler == "xiaohongshu.url")
    #expect(record.attempts.map(\.handler) == ["xiaohongshu.url"])
    #expect(record.attempts.map(\.outcome) == [.succeeded])

    #expect(chain.plan(for: "xhslink.com/a/AbCdEf").handlers.map(\.name) == ["xiaohongshu.short-link"])

    // The batch fast path: offline, nothing needs to wait, so a short link is answered on the spot
    // (needs_network) and nothing is left pending.
    var pending: FallbackChain.PreparedInput? = nil
    let fast = try #require(chain.normalizeSynchronously("https://xhslink.com/a/AbCdEf", pending: &pending))
    #expect(pending == nil)
    #expect(fast.link == nil)
    #expect(fast.error?.code == .needsNetwork)

    // A custom pattern handler, exactly as the README declares it.
    let acme = try PatternNormalizer(
      name: "acme.url", platform: "acme", hosts: ["acme.example"],
      forms: [URLPattern(kind: "post", #"^/p/(?<id>[0-9]+)/?(?:\?|$)"#, canonical: "https://acme.example/p/{id}")],
      keep: [KeptParameter("lang")])
    registry.register(acme, priority: Priority.parser)
    let acmeRecord = await FallbackChain(registry: registry, offline: true)
      .normalize("https://acme.example/p/42?lang=en&utm_source=x")
    #expect(acmeRecord.link?.canonicalURL == "https://acme.example/p/42?lang=en")
    #expect(acmeRecord.link?.handler == "acme.url")
  }
}
