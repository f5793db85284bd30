import LinkNormalizerCore
import LinkNormalizerTestSupport
import RemoteResolution
import Testing

@Suite struct URLSessionTransportTests {
  let transport = URLSessionTransport()

  func get(_ server: LoopbackHTTPServer, deadline: Duration = .seconds(5), cap: Int = 8192) async
    -> Result<HTTPResponse, NormalizationError>
  {
    do throws(NormalizationError) {
      return .success(
        try await transport.get(
          HTTPRequest(url: server.baseURL + "/p?q=1", headers: [("User-Agent", "UA-x")], deadline: deadline, maxBodyBytes: cap)))
    } catch {
      return .failure(error)
    }
  }

  @Test func returnsRedirectsWithoutFollowingThem() async throws {
    let server = try LoopbackHTTPServer { _ in .redirect("/elsewhere", status: 301) }
    let response = try #require(try? await get(server).get())
    #expect(response.status == 301)
    #expect(response.headers["location"] == "/elsewhere")
    #expect(server.requestCount == 1)
    #expect(server.requests.first?.method == "GET")
    #expect(server.requests.first?.target == "/p?q=1")
    #expect(server.requests.first?.header("User-Agent") == "UA-x")
  }

  @Test func readsNoMoreThanTheCap() async throws {
    let server = try LoopbackHTTPServer { _ in .init(text: String(repeating: "x", count: 200_000)) }
    let response = try #require(try? await get(server, cap: 1000).get())
    #expect(response.body.count == 1000)
    #expect(response.bodyEnd == .exceededLimit)
  }

  @Test func reportsABodyCutShort() async throws {
    let server = try LoopbackHTTPServer { _ in
      .init(text: String(repeating: "y", count: 500), delivery: .truncatedBody(sentBytes: 100))
    }
    let response = try #require(try? await get(server).get())
    #expect(response.status == 200)
    #expect(response.body.count == 100)
    #expect(response.bodyEnd == .connectionClosed)
  }

  @Test func droppedConnectionIsANetworkError() async throws {
    let server = try LoopbackHTTPServer { _ in .drop }
    #expect(await get(server).failure?.code == .network)
  }

  @Test(arguments: [true, false])
  func refusedConnectionIsANetworkError(explicitStop: Bool) async throws {
    // The test server stops on stop(), and when the last reference to it goes away.
    var server: LoopbackHTTPServer? = try LoopbackHTTPServer { _ in .init(text: "") }
    let port = try #require(server?.port)
    if explicitStop { server?.stop() } else { server = nil }
    try await Task.sleep(for: .milliseconds(50))
    let result: Result<HTTPResponse, NormalizationError>
    do throws(NormalizationError) {
      result = .success(
        try await transport.get(HTTPRequest(url: "http://127.0.0.1:\(port)/", deadline: .seconds(5), maxBodyBytes: 10)))
    } catch {
      result = .failure(error)
    }
    #expect(result.failure?.code == .network)
  }

  @Test func enforcesATotalDeadline() async throws {
    let server = try LoopbackHTTPServer { _ in .init(text: "late", delayMilliseconds: 3_000) }
    let started = ContinuousClock.now
    let error = await get(server, deadline: .milliseconds(300)).failure
    #expect(error?.code == .timeout)
    #expect(ContinuousClock.now - started < .seconds(2.5))
  }

  @Test func cancellationStopsTheRequest() async throws {
    let server = try LoopbackHTTPServer { _ in .init(text: "late", delayMilliseconds: 3_000) }
    let task = Task { await get(server, deadline: .seconds(10)) }
    try await Task.sleep(for: .milliseconds(100))
    task.cancel()
    #expect(await task.value.failure?.code == .cancelled)
  }

  @Test func servesManyConcurrentRequests() async throws {
    let server = try LoopbackHTTPServer { request in .redirect("https://www.example.com\(request.target)") }
    let locations = await withTaskGroup(of: String?.self) { group in
      for i in 0..<150 {
        group.addTask {
          let request = HTTPRequest(url: server.baseURL + "/n\(i)", deadline: .seconds(20), maxBodyBytes: 1024)
          return try? await transport.get(request).headers["Location"]
        }
      }
      var all: Set<String> = []
      for await location in group { if let location { all.insert(location) } }
      return all
    }
    #expect(locations.count == 150)
    #expect(server.requestCount == 150)
  }

  @Test func rejectsANonHTTPURL() async {
    do throws(NormalizationError) {
      _ = try await transport.get(HTTPRequest(url: "ftp://example.com/x", deadline: .seconds(1), maxBodyBytes: 10))
      Issue.record("expected an error")
    } catch {
      #expect(error.code == .invalidInput)
    }
  }
}

extension Result {
  var failure: Failure? {
    if case .failure(let error) = self { return error }
    return nil
  }
}
