import LinkNormalizerCore
import LinkNormalizerTestSupport
import PCRE2
import Synchronization
import Testing

// The README's "Write your own platform" guide, as a test: a made-up platform ("Pinboard Lite",
// `pin.example`) registered end to end — patterns, canonical URLs, a short-link host and a
// resolver — with no change to the core.

/// Step 1: the platform's knowledge, in its own namespace (in a real plugin: Plugins/PinLite).
enum PinLite {
  static let name = "pinlite"

  static let parser = try! PatternNormalizer(
    name: "pinlite.url", platform: name, hosts: ["pin.example", "www.pin.example"],
    forms: [
      URLPattern(kind: "pin", #"^/pin/(?<id>[0-9]{6,12})/?(?:\?|$)"#, canonical: "https://pin.example/pin/{id}"),
      URLPattern(
        kind: "board", #"^/(?<owner>[a-z0-9_]{3,30})/(?<id>[a-z0-9-]{3,60})/?(?:\?|$)"#,
        canonical: "https://pin.example/{owner}/{id}", identifiers: [("owner", "owner")]),
    ],
    keep: [KeptParameter("invite")])

  static let shortLinks = ShortLinkSpec(
    platform: name, hosts: ["pin.link"], pattern: try! PCRE2Pattern(#"^/[A-Za-z0-9]{5}/?$"#))

  static let platform = Platform(
    name: name, parsers: [parser], shortLinks: shortLinks,
    examples: [
      LinkExample(
        "https://www.pin.example/pin/1234567?utm_source=share",
        .normalized(kind: "pin", id: "1234567", canonicalURL: "https://pin.example/pin/1234567", handler: "pinlite.url")
      ),
      LinkExample(
        "pin.example/alice/cat-pictures?invite=a%2Bb",
        .normalized(
          kind: "board", id: "cat-pictures", canonicalURL: "https://pin.example/alice/cat-pictures?invite=a%2Bb",
          handler: "pinlite.url", identifiers: [Field("owner", "alice")], parameters: [Field("invite", "a+b")])),
      LinkExample("https://pin.link/Zz9Yy", .error(.needsNetwork)),
      LinkExample("https://pin.example/", .error(.unsupported)),
    ])
}

/// Step 2: a resolver for its short links. Here a table stands in for the remote service; a real
/// one would make a request (see `RemoteResolution`/`JustOneAPI`).
final class TableResolver: ShortLinkResolver {
  let name = "table"
  let table: [String: String]
  private let calls = Mutex(0)
  init(_ table: [String: String]) { self.table = table }
  var callCount: Int { calls.withLock { $0 } }

  func resolve(_ link: ParsedLink, spec: ShortLinkSpec, context: inout NormalizationContext)
    async throws(NormalizationError)
    -> ResolverOutcome
  {
    calls.withLock { $0 += 1 }
    guard let url = table[link.path] else { throw NormalizationError(.notFound, "no such short link") }
    return .resolved(Resolution(url: url, resolver: name))
  }
}

@Suite struct WriteYourOwnPlatformTests {
  @Test func examplesPassOffline() async {
    let mismatches = await ExampleRunner.run([PinLite.platform])
    #expect(mismatches.isEmpty, "\(mismatches.map(\.description).joined(separator: "\n"))")
  }

  @Test func shortLinksResolveAndAreValidatedByThePlatformsOwnPatterns() async throws {
    let resolver = TableResolver([
      "/Ab123": "https://pin.example/pin/7654321?ref=short",
      "/Home1": "https://pin.example/",
      "/Evil1": "https://evil.example/pin/7654321",
    ])
    var registry = NormalizerRegistry()
    registry.install(PinLite.platform, resolvers: [resolver])
    let chain = FallbackChain(registry: registry)

    #expect(chain.plan(for: "https://pin.link/Ab123").handlers.map(\.name) == ["pinlite.table", "pinlite.short-link"])
    let record = await chain.normalize("分享 https://pin.link/Ab123 ！")
    let link = try #require(record.link)
    #expect(link.id == "7654321")
    #expect(link.canonicalURL == "https://pin.example/pin/7654321")
    #expect(link.handler == "pinlite.table")
    #expect(link.resolver == "table")
    #expect(link.parser == "pinlite.url")
    #expect(link.resolvedURL == "https://pin.example/pin/7654321?ref=short")

    // A home page or a foreign host is never a success.
    #expect(await chain.normalize("https://pin.link/Home1").error?.code == .badResponse)
    #expect(await chain.normalize("https://pin.link/Evil1").error?.code == .badResponse)
    // A failing resolver falls through to the recognizer's skip, but the failure decides the error.
    let missing = await chain.normalize("https://pin.link/Nope1")
    #expect(missing.error?.code == .notFound)
    #expect(missing.attempts.map(\.outcome) == [.failed, .skipped])
    // Offline, the resolver is skipped without being called.
    let calls = resolver.callCount
    let offline = await FallbackChain(registry: registry, offline: true).normalize("https://pin.link/Ab123")
    #expect(offline.error?.code == .needsNetwork)
    #expect(resolver.callCount == calls)
  }
}
