import JustOneAPI
import LinkNormalizerCore
import LinkNormalizerTestSupport
import RemoteResolution
import Testing

@Suite struct StopSpendingTests {
  @Test(arguments: [(100, ErrorCode.auth), (303, .quota), (600, .permission), (601, .balance)])
  func stopsCallingAfterAStoppingCode(code: Int, expected: ErrorCode) async throws {
    let server = try LoopbackHTTPServer { _ in envelope(code, "no") }
    let resolver = JustOneAPIResolver(client: makeClient(server))
    let first = await resolve(resolver).0
    #expect(first.error?.code == expected)
    #expect(resolver.client.stoppedAfter == expected)
    for _ in 0..<3 {
      let later = await resolve(resolver).0
      #expect(later.skip?.code == expected)
      #expect(later.skip?.message == "Just One API calls stopped after \(expected.rawValue) earlier in this run")
    }
    #expect(server.requestCount == 1)
    #expect(resolver.statistics.requests == 1)
    #expect(resolver.statistics.stopped == 3)
    #expect(resolver.statistics.failures == [expected: 1])
  }

  @Test func otherFailuresKeepTheClientGoing() async throws {
    let server = try LoopbackHTTPServer { _ in envelope(400, "bad param") }
    let resolver = JustOneAPIResolver(client: makeClient(server))
    _ = await resolve(resolver)
    _ = await resolve(resolver)
    #expect(server.requestCount == 2)
    #expect(resolver.client.stoppedAfter == nil)
  }

  @Test func pendingRetriesStopOnceTheGateCloses() async throws {
    // Call A is rate-limited and waits 1 s (Retry-After) before retrying; meanwhile call B learns
    // the balance is gone. A's retry must not be sent.
    let server = try LoopbackHTTPServer { request in
      request.queryValue("shareUrl")!.hasSuffix("/aaaa")
        ? .init(status: 429, headers: [("Retry-After", "1")]) : envelope(601, "no money")
    }
    let resolver = JustOneAPIResolver(client: makeClient(server, retries: 3))
    async let a = resolve(resolver, "https://sl.test/aaaa")
    try await Task.sleep(for: .milliseconds(200))
    let b = await resolve(resolver, "https://sl.test/bbbb").0
    let (resultA, triesA) = await a
    #expect(b.error?.code == .balance)
    #expect(resultA.skip?.code == .balance)
    #expect(triesA.map(\.error?.code) == [.rateLimited])
    #expect(server.requestCount == 2)
  }

  @Test func theChainRecordsTheSkipAndFallsBack() async throws {
    let server = try LoopbackHTTPServer { _ in envelope(100, "invalid token") }
    let resolver = JustOneAPIResolver(client: makeClient(server))
    var registry = NormalizerRegistry()
    registry.install(
      Platform(name: "testplat", parsers: [], shortLinks: apiSpec), resolvers: [resolver])
    let chain = FallbackChain(registry: registry)
    let first = await chain.normalize("see https://sl.test/abc1 now")
    #expect(first.attempts.map(\.handler) == ["testplat.justoneapi", "testplat.short-link"])
    #expect(first.attempts.first?.outcome == .failed)
    #expect(first.error?.code == .auth)
    let second = await chain.normalize("see https://sl.test/abc2 now")
    #expect(second.attempts.map(\.outcome) == [.skipped, .skipped])
    #expect(second.attempts.first?.error?.code == .auth)
    #expect(server.requestCount == 1)
  }
}
