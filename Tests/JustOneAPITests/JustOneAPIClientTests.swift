import JustOneAPI
import LinkNormalizerCore
import LinkNormalizerTestSupport
import RemoteResolution
import Testing

@Suite struct JustOneAPIClientTests {
  @Test func convertsAndSendsTokenAndShareURL() async throws {
    let server = try LoopbackHTTPServer { _ in envelope(0, "success", data: redirectData(notePath)) }
    let resolver = JustOneAPIResolver(client: makeClient(server))
    let (result, tries) = await resolve(resolver, "http://sl.test/abc1")
    #expect(result.url == notePath)
    #expect(tries.isEmpty)
    let request = try #require(server.requests.first)
    #expect(request.method == "GET")
    #expect(request.path == "/api/testplat/share-url-transfer/v1")
    #expect(request.queryValue("token") == testToken)
    #expect(request.queryValue("shareUrl") == "http://sl.test/abc1")
    #expect(resolver.statistics.requests == 1)
    #expect(resolver.statistics.converted == 1)
  }

  @Test func encodesQueryValuesStrictly() async throws {
    let server = try LoopbackHTTPServer { _ in envelope(0, data: redirectData(notePath)) }
    let client = makeClient(server)
    let shareURL = "https://sl.test/a b?x=1&y=2+3;z=%41#frag/é"
    var context = NormalizationContext()
    let result = try await client.shareConvert(shareURL, path: "/api/p/v1", handler: "t.justoneapi", context: &context)
    #expect(result == .converted(notePath))
    let request = try #require(server.requests.first)
    #expect(request.queryValue("shareUrl") == shareURL)
    #expect(request.queryValue("token") == testToken)
    let query = try #require(request.query)
    #expect(query.split(separator: "&").count == 2)
    let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%=&")
    #expect(query.allSatisfy { allowed.contains($0) })
  }

  @Test(arguments: [
    ("\"\(notePath)\"", notePath),
    ("{\"redirectUrl\":\"https://www.example.com/a\"}", "https://www.example.com/a"),
    ("{\"url\":\"https://www.example.com/b\"}", "https://www.example.com/b"),
  ])
  func readsDataTolerantly(data: String, expected: String) async throws {
    let server = try LoopbackHTTPServer { _ in envelope(0, data: data) }
    #expect(await resolve(JustOneAPIResolver(client: makeClient(server))).0.url == expected)
    #expect(server.requestCount == 1)
  }

  @Test(arguments: [
    (100, ErrorCode.auth), (301, .upstream), (302, .rateLimited), (303, .quota), (400, .invalidParams),
    (500, .upstream), (600, .permission), (601, .balance), (202, .apiError), (404, .apiError),
  ])
  func mapsEveryBusinessCode(code: Int, expected: ErrorCode) async throws {
    let server = try LoopbackHTTPServer { _ in envelope(code, "upstream says \(code)") }
    let (result, _) = await resolve(JustOneAPIResolver(client: makeClient(server, retries: 0)))
    let error = try #require(result.error)
    #expect(error.code == expected)
    #expect(error.details.map(\.name) == ["api_code", "api_message", "http_status"])
    #expect(error.detail("api_code") == String(code))
    #expect(error.detail("api_message") == "upstream says \(code)")
    #expect(error.detail("http_status") == "200")
    #expect(server.requestCount == 1)
  }

  @Test func businessCodeDecidesWhateverTheHTTPStatus() async throws {
    let ok = try LoopbackHTTPServer { _ in
      var response = envelope(0, data: redirectData(notePath))
      response.status = 500
      return response
    }
    #expect(await resolve(JustOneAPIResolver(client: makeClient(ok))).0.url == notePath)
    #expect(ok.requestCount == 1)
    let auth = try LoopbackHTTPServer { _ in .json("{\"code\":100,\"message\":\"bad token\"}", status: 401) }
    let error = await resolve(JustOneAPIResolver(client: makeClient(auth))).0.error
    #expect(error?.code == .auth)
    #expect(error?.detail("http_status") == "401")
    #expect(auth.requestCount == 1)
  }

  @Test(arguments: [301, 302, 500])
  func retriesTransientBusinessCodesAndRecordsEachTry(code: Int) async throws {
    let calls = Counter()
    let server = try LoopbackHTTPServer { _ in
      calls.next() < 2 ? envelope(code, "try again") : envelope(0, data: redirectData(notePath))
    }
    let (result, tries) = await resolve(JustOneAPIResolver(client: makeClient(server, retries: 2)))
    #expect(result.url == notePath)
    #expect(tries.count == 2)
    #expect(tries.allSatisfy { $0.handler == "testplat.justoneapi" && $0.outcome == .failed })
    #expect(tries.allSatisfy { $0.error?.detail("api_code") == String(code) })
    #expect(server.requestCount == 3)
  }

  @Test func givesUpAfterTheRetries() async throws {
    let server = try LoopbackHTTPServer { _ in .init(status: 502, text: "<html><body>Bad gateway</body></html>") }
    let (result, tries) = await resolve(JustOneAPIResolver(client: makeClient(server, retries: 2)))
    #expect(result.error?.code == .upstream)
    #expect(result.error?.detail("http_status") == "502")
    #expect(tries.map(\.error?.code) == [.upstream, .upstream])
    #expect(server.requestCount == 3)
  }

  @Test(arguments: [
    LoopbackHTTPServer.Response.json("{\"code\":0,\"data\":{\"redirect_url\":"),
    .init(text: "<!DOCTYPE html><html><head><title>Error</title></head><body>oops</body></html>"),
    .init(status: 404, text: "<html>not found</html>"),
    .json("{\"data\":{\"redirect_url\":\"https://www.example.com/\"}}"),
    .json("{\"code\":0,\"data\":{}}"),
    .json("{\"code\":0,\"data\":\"\"}"),
    .json("[1,2,3]"),
    .init(text: ""),
    .init(
      headers: [("Content-Type", "application/json")], text: "{\"code\":0,\"data\":{\"redirect_url\":\"https://x/\"}}",
      delivery: .truncatedBody(sentBytes: 20)),
  ])
  func badBodiesAreBadResponsesAndNotRetried(response: LoopbackHTTPServer.Response) async throws {
    let server = try LoopbackHTTPServer { _ in response }
    let (result, tries) = await resolve(JustOneAPIResolver(client: makeClient(server)))
    #expect(result.error?.code == .badResponse)
    #expect(result.error?.detail("http_status") == String(response.status))
    #expect(tries.isEmpty)
    #expect(server.requestCount == 1)
  }

  @Test func oversizedAnswerIsABadResponse() async throws {
    let big =
      "{\"code\":0,\"data\":{\"redirect_url\":\"https://www.example.com/\(String(repeating: "a", count: 5_000))\"}}"
    let server = try LoopbackHTTPServer { _ in .json(big) }
    let (result, _) = await resolve(JustOneAPIResolver(client: makeClient(server, maxBodyBytes: 1_024)))
    #expect(result.error?.code == .badResponse)
    #expect(server.requestCount == 1)
  }

  @Test func http429IsRetriedAfterRetryAfter() async throws {
    let calls = Counter()
    let server = try LoopbackHTTPServer { _ in
      calls.next() == 0
        ? .init(status: 429, headers: [("Retry-After", "1")], text: "slow down")
        : envelope(0, data: redirectData(notePath))
    }
    let started = ContinuousClock.now
    let (result, tries) = await resolve(JustOneAPIResolver(client: makeClient(server)))
    let elapsed = ContinuousClock.now - started
    #expect(result.url == notePath)
    #expect(tries.map(\.error?.code) == [.rateLimited])
    #expect(tries.first?.error?.detail("http_status") == "429")
    // The wait came from Retry-After (1 s), not from the 1 ms backoff.
    #expect(elapsed >= .milliseconds(900))
    #expect(elapsed < .seconds(20))
    #expect(server.requestCount == 2)
  }

  @Test func retryAfterIsCapped() async throws {
    let calls = Counter()
    let server = try LoopbackHTTPServer { _ in
      calls.next() == 0
        ? .init(status: 503, headers: [("Retry-After", "3600")])
        : envelope(0, data: redirectData(notePath))
    }
    let client = makeClient(server, retryAfterCap: .milliseconds(20))
    let started = ContinuousClock.now
    #expect(await resolve(JustOneAPIResolver(client: client)).0.url == notePath)
    #expect(ContinuousClock.now - started < .seconds(20))
    #expect(server.requestCount == 2)
  }

  @Test func slowAnswerTimesOutAndIsRetried() async throws {
    let server = try LoopbackHTTPServer { _ in
      var response = envelope(0, data: redirectData(notePath))
      response.delayMilliseconds = 3_000
      return response
    }
    let client = makeClient(server, retries: 1, timeout: .milliseconds(300))
    let (result, tries) = await resolve(JustOneAPIResolver(client: client))
    #expect(result.error?.code == .timeout)
    #expect(tries.map(\.error?.code) == [.timeout])
    #expect(client.statistics.requests == 2)
    #expect(client.statistics.failures[.timeout] == 2)
    #expect(server.requestCount == 2)
  }

  @Test func droppedConnectionIsANetworkErrorAndIsRetried() async throws {
    let calls = Counter()
    let server = try LoopbackHTTPServer { _ in
      calls.next() == 0 ? .drop : envelope(0, data: redirectData(notePath))
    }
    let (result, tries) = await resolve(JustOneAPIResolver(client: makeClient(server)))
    #expect(result.url == notePath)
    #expect(tries.map(\.error?.code) == [.network])
    #expect(server.requestCount == 2)
  }

  @Test func limitsConcurrentRequests() async throws {
    let inFlight = InFlight()
    let server = try LoopbackHTTPServer { _ in
      inFlight.enter()
      defer { inFlight.leave() }
      usleepMilliseconds(60)
      return envelope(0, data: redirectData(notePath))
    }
    let resolver = JustOneAPIResolver(client: makeClient(server, concurrency: 2))
    await withTaskGroup(of: Void.self) { group in
      for i in 0..<8 {
        group.addTask { _ = await resolve(resolver, "https://sl.test/abc\(i)") }
      }
    }
    #expect(server.requestCount == 8)
    #expect(inFlight.maximum <= 2)
  }

  @Test func unsupportedWithoutAnEndpoint() throws {
    let server = try LoopbackHTTPServer { _ in envelope(0) }
    let resolver = JustOneAPIResolver(client: makeClient(server))
    let bare = ShortLinkSpec(platform: "bare", hosts: ["b.test"], pattern: apiSpec.pattern)
    #expect(!resolver.supports(bare))
    #expect(resolver.supports(apiSpec))
    #expect(resolver.name == "justoneapi")
    #expect(resolver.unusableResultCode == .badResponse)
  }
}
