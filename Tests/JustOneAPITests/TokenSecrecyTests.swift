import JustOneAPI
import LinkNormalizerCore
import LinkNormalizerTestSupport
import RemoteResolution
import Testing

@Suite struct TokenSecrecyTests {
  /// The token as sent and as a server might echo it.
  var spellings: [String] {
    let encoded = PercentEncoding.encodeComponent(testToken)
    return [testToken, encoded, encoded.lowercased(), "SECRET-7f3a"]
  }

  func assertNoToken(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    for spelling in spellings {
      #expect(!text.contains(spelling), "token leaked in \(what): \(text)", sourceLocation: sourceLocation)
    }
  }

  func assertNoToken(in error: NormalizationError, _ what: String) {
    assertNoToken(error.description, what)
    assertNoToken(String(reflecting: error), what)
    for field in error.details { assertNoToken(field.value, "\(what) detail \(field.name)") }
  }

  @Test func theTokenAppearsInNoErrorNoAttemptNoResult() async throws {
    // Every answer echoes the token the server received, raw and encoded, wherever it can.
    let echoes: [@Sendable (String, String) -> LoopbackHTTPServer.Response] = [
      { raw, _ in envelope(100, "token \(raw) is invalid") },
      { _, enc in envelope(301, "retry \(enc)") },
      { raw, _ in envelope(302, "limit for \(raw)") },
      { raw, _ in envelope(303, "quota of \(raw)") },
      { raw, _ in envelope(400, "bad \(raw)") },
      { raw, _ in envelope(500, "internal \(raw)") },
      { raw, _ in envelope(600, "denied \(raw)") },
      { raw, _ in envelope(601, "balance \(raw)") },
      { raw, _ in envelope(999, "weird \(raw)") },
      { raw, _ in envelope(0, "no url for \(raw)") },
      { _, enc in .init(text: "<html>token=\(enc) error</html>") },
      { raw, _ in .init(status: 503, text: "<html>\(raw)</html>") },
      { raw, _ in .init(status: 429, headers: [("Retry-After", "0")], text: raw) },
      { raw, _ in .init(text: "{\"code\":0,\"data\":\"\(raw)", delivery: .truncatedBody(sentBytes: 10)) },
      { raw, _ in .init(text: raw, delayMilliseconds: 2_000) },
      { _, _ in .drop },
      { _, enc in envelope(0, data: redirectData("https://www.example.com/x?t=\(enc)")) },
    ]
    var checked = 0
    for echo in echoes {
      let server = try LoopbackHTTPServer { request in
        let raw = request.queryValue("token") ?? ""
        let encoded = PercentEncoding.encodeComponent(raw)
        let response = echo(raw.replacingOccurrences("\"", "'"), encoded)
        return response
      }
      let client = makeClient(server, retries: 1, timeout: .milliseconds(300))
      let resolver = JustOneAPIResolver(client: client)
      let (result, tries) = await resolve(resolver)
      #expect(server.requestCount >= 1)
      switch result {
      case .failure(let error): assertNoToken(in: error, "error")
      case .success(.resolved(let resolution)): assertNoToken(resolution.url, "resolved URL")
      case .success(.skipped(let error)): assertNoToken(in: error, "skip")
      case .success(.declined(let reason)): assertNoToken(reason, "decline")
      }
      for attempt in tries {
        assertNoToken(String(reflecting: attempt), "attempt")
        if let error = attempt.error { assertNoToken(in: error, "attempt error") }
        if let note = attempt.note { assertNoToken(note, "attempt note") }
      }
      // A later call refused by the gate, when the gate closed.
      if client.stoppedAfter != nil, let skip = await resolve(resolver).0.skip {
        assertNoToken(in: skip, "stopped skip")
      }
      assertNoToken(String(reflecting: client.statistics), "statistics")
      checked += 1
    }
    #expect(checked == echoes.count)
  }

  @Test func configurationAndSecretNeverPrintTheToken() throws {
    let configuration = JustOneAPIConfiguration(token: Secret(testToken), region: .cn)
    #expect(configuration.baseURL == "http://47.117.133.51:30015")
    #expect(JustOneAPIConfiguration(token: Secret("x")).baseURL == "https://api.justoneapi.com")
    #expect("\(configuration.token)" == "<redacted>")
    #expect(String(reflecting: configuration.token) == "<redacted>")
    assertNoToken(String(describing: configuration), "configuration description")
    assertNoToken(String(reflecting: configuration), "configuration debug description")
    var dumped = ""
    dump(configuration, to: &dumped)
    assertNoToken(dumped, "dump")
    let server = try LoopbackHTTPServer { _ in envelope(0) }
    let client = makeClient(server)
    assertNoToken(String(reflecting: client), "client")
    assertNoToken(String(reflecting: JustOneAPIResolver(client: client)), "resolver")
  }
}

extension String {
  func replacingOccurrences(_ target: Character, _ replacement: Character) -> String {
    String(map { $0 == target ? replacement : $0 })
  }
}
