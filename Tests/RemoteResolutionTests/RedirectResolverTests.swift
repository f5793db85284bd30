import LinkNormalizerCore
import LinkNormalizerTestSupport
import RemoteResolution
import Testing
import XiaohongshuPlugin

@Suite struct HTTPRedirectResolverTests {
  @Test func takesTheFirstLocationOnly() async throws {
    let server = try LoopbackHTTPServer { _ in
      .init(
        status: 302,
        headers: [("Location", "https://www.example.com/first?a=1"), ("Location", "https://www.example.com/second")])
    }
    let (result, tries) = await resolve(makeResolver(["sl.test": server]), "https://sl.test/abc1")
    #expect(result.url == "https://www.example.com/first?a=1")
    #expect(tries.isEmpty)
    let request = try #require(server.requests.first)
    #expect(request.method == "GET")
    #expect(request.target == "/abc1")
    #expect(request.header("User-Agent") == "TestAgent/1.0")
  }

  @Test(arguments: [301, 302, 303, 307, 308])
  func everyRedirectStatusCounts(status: Int) async throws {
    let server = try LoopbackHTTPServer { _ in .redirect("https://www.example.com/x", status: status) }
    #expect(
      await resolve(makeResolver(["sl.test": server]), "https://sl.test/abc1").0.url == "https://www.example.com/x")
    #expect(server.requestCount == 1)
  }

  @Test func relativeLocationIsResolvedAgainstTheShortLinkAndFollowed() async throws {
    let server = try LoopbackHTTPServer { request in
      request.path == "/abc1" ? .redirect("landing/page?x=1%262") : .redirect("https://www.example.com/final")
    }
    let (result, _) = await resolve(makeResolver(["sl.test": server]), "https://sl.test/abc1")
    #expect(result.url == "https://www.example.com/final")
    #expect(server.requests.map(\.target) == ["/abc1", "/landing/page?x=1%262"])
  }

  @Test func followsAnotherDeclaredHost() async throws {
    let first = try LoopbackHTTPServer { _ in .redirect("http://SL2.test./n/xyz") }
    let second = try LoopbackHTTPServer { _ in .redirect("https://www.example.com/done") }
    let (result, _) = await resolve(makeResolver(["sl.test": first, "sl2.test": second]), "https://sl.test/abc1")
    #expect(result.url == "https://www.example.com/done")
    #expect(second.requests.map(\.target) == ["/n/xyz"])
  }

  @Test func shortLinkIsRequestedOverHTTPS() async throws {
    // A scheme-relative Location takes the scheme of the URL requested: https, though the link was http.
    let server = try LoopbackHTTPServer { _ in .redirect("//www.example.com/p") }
    let (result, _) = await resolve(makeResolver(["sl.test": server]), "http://user:pw@sl.test/abc1#frag")
    #expect(result.url == "https://www.example.com/p")
    #expect(server.requests.first?.target == "/abc1")
  }

  @Test func stopsAfterTheHopLimit() async throws {
    let server = try LoopbackHTTPServer { _ in .redirect("/again") }
    let (result, _) = await resolve(makeResolver(["sl.test": server], hops: 2), "https://sl.test/abc1")
    #expect(result.error?.code == .notFound)
    #expect(server.requestCount == 3)
  }

  @Test func neverContactsUndeclaredHosts() async throws {
    let victim = try LoopbackHTTPServer { _ in .init(text: "secret") }
    let locations = [
      "http://127.0.0.1:\(victim.port)/secret",
      "https://sl.test@127.0.0.1:\(victim.port)/secret",
      "https://sl.test:\(victim.port)/secret",
      "//127.0.0.1:\(victim.port)/secret",
      "https://evil.example/secret",
    ]
    for location in locations {
      let server = try LoopbackHTTPServer { _ in .redirect(location) }
      // Even the test hook maps every host to the victim: only declared hosts may use it.
      let ports = ["sl.test": server.port, "evil.example": victim.port, "127.0.0.1": victim.port]
      let resolver = HTTPRedirectResolver(
        configuration: .init(
          retry: RetryPolicy(retries: 0),
          endpointOverride: { ports[$0].map { RemoteEndpoint(port: $0) } }))
      let (result, _) = await resolve(resolver, "https://sl.test/abc1")
      #expect(result.url != nil, "\(location)")
      #expect(server.requestCount == 1)
    }
    #expect(victim.requestCount == 0)
  }

  @Test func refusesALinkOnAnUndeclaredHost() async throws {
    let victim = try LoopbackHTTPServer { _ in .redirect("https://www.example.com/") }
    let resolver = makeResolver(["evil.example": victim])
    let (result, _) = await resolve(resolver, "https://evil.example/abc1")
    #expect(result.error?.code == .invalidInput)
    #expect(victim.requestCount == 0)
  }

  @Test(arguments: [200, 404, 410])
  func nonRedirectIsNotFound(status: Int) async throws {
    let server = try LoopbackHTTPServer { _ in .init(status: status, text: "<html>page</html>") }
    let (result, tries) = await resolve(makeResolver(["sl.test": server]), "https://sl.test/abc1")
    #expect(result.error?.code == .notFound)
    #expect(result.error?.detail("http_status") == String(status))
    #expect(tries.isEmpty)
    #expect(server.requestCount == 1)
  }

  @Test func redirectWithoutLocationIsNotFound() async throws {
    let server = try LoopbackHTTPServer { _ in .init(status: 302) }
    #expect(await resolve(makeResolver(["sl.test": server]), "https://sl.test/abc1").0.error?.code == .notFound)
    #expect(server.requestCount == 1)
  }

  @Test func retriesServerErrorsAndRecordsEachTry() async throws {
    let calls = Counter()
    let server = try LoopbackHTTPServer { _ in
      calls.next() < 2 ? .init(status: 503, text: "busy") : .redirect("https://www.example.com/ok")
    }
    let (result, tries) = await resolve(makeResolver(["sl.test": server]), "https://sl.test/abc1")
    #expect(result.url == "https://www.example.com/ok")
    #expect(tries.map(\.handler) == ["testplat.redirect", "testplat.redirect"])
    #expect(tries.map(\.outcome) == [.failed, .failed])
    #expect(tries.map(\.error?.code) == [.upstream, .upstream])
    #expect(tries.first?.error?.detail("http_status") == "503")
  }

  @Test func givesUpAfterTheRetries() async throws {
    let server = try LoopbackHTTPServer { _ in .drop }
    let (result, tries) = await resolve(makeResolver(["sl.test": server], retries: 2), "https://sl.test/abc1")
    #expect(result.error?.code == .network)
    #expect(tries.count == 2)
    #expect(server.requestCount == 3)
  }

  @Test func slowAnswerTimesOut() async throws {
    let server = try LoopbackHTTPServer { _ in
      .init(status: 302, headers: [("Location", "https://x.example/")], delayMilliseconds: 3_000)
    }
    let resolver = makeResolver(["sl.test": server], retries: 1, timeout: .milliseconds(300))
    let (result, tries) = await resolve(resolver, "https://sl.test/abc1")
    #expect(result.error?.code == .timeout)
    #expect(tries.map(\.error?.code) == [.timeout])
    #expect(server.requestCount == 2)
  }

  @Test func honoursRetryAfterOn429() async throws {
    let calls = Counter()
    let server = try LoopbackHTTPServer { _ in
      calls.next() == 0 ? .init(status: 429, headers: [("Retry-After", "0")]) : .redirect("https://www.example.com/ok")
    }
    let (result, tries) = await resolve(makeResolver(["sl.test": server]), "https://sl.test/abc1")
    #expect(result.url == "https://www.example.com/ok")
    #expect(tries.map(\.error?.code) == [.rateLimited])
    #expect(server.requestCount == 2)
  }

  // MARK: Through the core's ShortLinkNormalizer, with a real platform's strict parsers.

  func normalize(_ location: String) async throws -> Result<NormalizerOutcome, NormalizationError> {
    let server = try LoopbackHTTPServer { _ in .redirect(location) }
    let normalizer = ShortLinkNormalizer(
      spec: testSpec, resolver: makeResolver(["sl.test": server]), parsers: [Xiaohongshu.urlParser])
    var context = NormalizationContext()
    defer { #expect(server.requestCount == 1) }
    do throws(NormalizationError) {
      return .success(try await normalizer.normalize(link("https://sl.test/abc1"), context: &context))
    } catch {
      return .failure(error)
    }
  }

  @Test func aPlatformURLBecomesTheIdentity() async throws {
    let id = "69a8b0b9000000001a02fb14"
    let result = try await normalize("https://www.xiaohongshu.com/discovery/item/\(id)?xsec_token=AB%3D&share_id=1")
    guard case .success(.normalized(let normalized)) = result else {
      Issue.record("expected a result, got \(result)")
      return
    }
    #expect(normalized.id == id)
    #expect(normalized.handler == "testplat.redirect")
    #expect(normalized.resolver == "redirect")
    #expect(normalized.canonicalURL.hasPrefix("https://www.xiaohongshu.com/explore/\(id)"))
  }

  @Test func aHomeOrForeignPageIsNotFound() async throws {
    for location in ["https://www.xiaohongshu.com/", "https://www.example.com/x", "xhsdiscover://item/1"] {
      let result = try await normalize(location)
      guard case .failure(let error) = result else {
        Issue.record("expected an error for \(location), got \(result)")
        continue
      }
      #expect(error.code == .notFound)
    }
  }
}
