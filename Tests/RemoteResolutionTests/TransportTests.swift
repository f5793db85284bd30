import LinkNormalizerCore
import LinkNormalizerTestSupport
import RemoteResolution
import Synchronization
import Testing
import URLSessionTransport

#if canImport(Glibc)
  import Glibc
#endif

/// The transports held to one contract: every test in ``TransportContractTests`` runs against each.
enum TransportKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case curl
  case urlSession

  func make(maximumConnectionsPerHost: Int = 64) -> any HTTPTransport {
    switch self {
    case .curl: CurlTransport(maximumConnectionsPerHost: maximumConnectionsPerHost)
    case .urlSession: URLSessionTransport(maximumConnectionsPerHost: maximumConnectionsPerHost)
    }
  }

  var testDescription: String { rawValue }
}

/// Calls `transport` and returns its response or error.
func fetch(
  _ transport: any HTTPTransport, _ url: String, headers: [(name: String, value: String)] = [],
  deadline: Duration = .seconds(5), cap: Int = 8192
) async -> Result<HTTPResponse, NormalizationError> {
  do throws(NormalizationError) {
    return .success(
      try await transport.get(HTTPRequest(url: url, headers: headers, deadline: deadline, maxBodyBytes: cap)))
  } catch {
    return .failure(error)
  }
}

@Suite struct TransportContractTests {
  func get(_ kind: TransportKind, _ server: LoopbackHTTPServer, deadline: Duration = .seconds(5), cap: Int = 8192) async
    -> Result<HTTPResponse, NormalizationError>
  {
    await fetch(kind.make(), server.baseURL + "/p?q=1", headers: [("User-Agent", "UA-x")], deadline: deadline, cap: cap)
  }

  @Test(arguments: TransportKind.allCases)
  func returnsRedirectsWithoutFollowingThem(kind: TransportKind) async throws {
    let server = try LoopbackHTTPServer { _ in .redirect("/elsewhere", status: 301) }
    let response = try #require(try? await get(kind, server).get())
    #expect(response.status == 301)
    #expect(response.headers["location"] == "/elsewhere")
    #expect(response.bodyEnd == .complete)
    #expect(server.requestCount == 1)
    #expect(server.requests.first?.method == "GET")
    #expect(server.requests.first?.target == "/p?q=1")
    #expect(server.requests.first?.header("User-Agent") == "UA-x")
  }

  @Test(arguments: TransportKind.allCases)
  func headersAreCaseInsensitiveAndTheFirstWins(kind: TransportKind) async throws {
    let server = try LoopbackHTTPServer { _ in
      .init(
        status: 302,
        // (Spelt the same: URLSession files differently-cased repeats in an unordered dictionary.)
        headers: [
          ("Location", "https://www.example.com/first"), ("x-THING", "one"),
          ("Location", "https://www.example.com/second"),
        ],
        text: "moved")
    }
    let response = try #require(try? await get(kind, server).get())
    #expect(response.status == 302)
    for name in ["Location", "location", "LOCATION"] {
      // URLSession joins a repeated field with ", "; the redirect resolver takes the first value.
      #expect(response.headers[name]?.hasPrefix("https://www.example.com/first") == true)
    }
    #expect(response.headers["X-Thing"] == "one")
    #expect(response.headers["Content-Length"] == "5")
    #expect(response.body == Array("moved".utf8))
  }

  @Test(arguments: TransportKind.allCases)
  func readsNoMoreThanTheCap(kind: TransportKind) async throws {
    let server = try LoopbackHTTPServer { _ in .init(text: String(repeating: "x", count: 200_000)) }
    let response = try #require(try? await get(kind, server, cap: 1000).get())
    #expect(response.body.count == 1000)
    #expect(response.bodyEnd == .exceededLimit)
  }

  @Test(arguments: TransportKind.allCases)
  func aBodyExactlyAtTheCapIsComplete(kind: TransportKind) async throws {
    let server = try LoopbackHTTPServer { _ in .init(text: String(repeating: "z", count: 1000)) }
    let response = try #require(try? await get(kind, server, cap: 1000).get())
    #expect(response.body.count == 1000)
    #expect(response.bodyEnd == .complete)
  }

  @Test(arguments: TransportKind.allCases)
  func reportsABodyCutShort(kind: TransportKind) async throws {
    let server = try LoopbackHTTPServer { _ in
      .init(text: String(repeating: "y", count: 500), delivery: .truncatedBody(sentBytes: 100))
    }
    let response = try #require(try? await get(kind, server).get())
    #expect(response.status == 200)
    #expect(response.body.count == 100)
    #expect(response.bodyEnd == .connectionClosed)
  }

  @Test(arguments: TransportKind.allCases)
  func droppedConnectionIsANetworkError(kind: TransportKind) async throws {
    let server = try LoopbackHTTPServer { _ in .drop }
    #expect(await get(kind, server).failure?.code == .network)
  }

  @Test(arguments: TransportKind.allCases, [true, false])
  func refusedConnectionIsANetworkError(kind: TransportKind, explicitStop: Bool) async throws {
    // The test server stops on stop(), and when the last reference to it goes away.
    var server: LoopbackHTTPServer? = try LoopbackHTTPServer { _ in .init(text: "") }
    let port = try #require(server?.port)
    if explicitStop { server?.stop() } else { server = nil }
    try await Task.sleep(for: .milliseconds(50))
    // Hold the freed port (bound, not listening) so no other test's server can take it meanwhile.
    let reservation = try #require(await PortReservation(port))
    defer { reservation.release() }
    let result = await fetch(kind.make(), "http://127.0.0.1:\(port)/?token=SECRET", cap: 10)
    #expect(result.failure?.code == .network)
    #expect(result.failure?.message.contains("SECRET") == false)
  }

  // Time bounds below are loose on purpose: other suites block the cooperative pool (2 threads
  // on a 2-core machine) while they run the CLI, which delays when a waiting test resumes.

  @Test(arguments: TransportKind.allCases)
  func enforcesATotalDeadline(kind: TransportKind) async throws {
    let server = try LoopbackHTTPServer { _ in .init(text: "late", delayMilliseconds: 10_000) }
    let started = ContinuousClock.now
    let error = await get(kind, server, deadline: .milliseconds(300)).failure
    #expect(error?.code == .timeout)
    #expect(error?.message.contains("q=1") == false)
    #expect(ContinuousClock.now - started < .seconds(5))
  }

  @Test(arguments: TransportKind.allCases)
  func cancellationStopsTheRequest(kind: TransportKind) async throws {
    let server = try LoopbackHTTPServer { _ in .init(text: "late", delayMilliseconds: 10_000) }
    let task = Task { await get(kind, server, deadline: .seconds(20)) }
    try await Task.sleep(for: .milliseconds(100))
    let cancelled = ContinuousClock.now
    task.cancel()
    #expect(await task.value.failure?.code == .cancelled)
    #expect(ContinuousClock.now - cancelled < .seconds(5))
  }

  @Test(arguments: TransportKind.allCases)
  func servesManyConcurrentRequests(kind: TransportKind) async throws {
    let server = try LoopbackHTTPServer { request in .redirect("https://www.example.com\(request.target)") }
    let transport = kind.make()
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

  @Test(arguments: TransportKind.allCases)
  func rejectsANonHTTPURL(kind: TransportKind) async {
    for url in ["ftp://example.com/x", "example.com/x", "/relative", "http:///nohost"] {
      #expect(await fetch(kind.make(), url, deadline: .seconds(1), cap: 10).failure?.code == .invalidInput, "\(url)")
    }
  }
}

/// What only the libcurl transport does (or can be checked on).
@Suite struct CurlTransportTests {
  @Test func loadsTheSystemLibcurl() {
    let transport = CurlTransport()
    #expect(transport.isAvailable)
    #expect(transport.libraryVersion?.hasPrefix("libcurl/") == true)
  }

  @Test func withoutLibcurlEveryRequestIsANetworkError() async throws {
    let transport = CurlTransport(libraryNames: ["libcurl-missing-for-tests.so.4"])
    #expect(!transport.isAvailable)
    let server = try LoopbackHTTPServer { _ in .init(text: "never") }
    let error = await fetch(transport, server.baseURL + "/x").failure
    #expect(error?.code == .network)
    #expect(error?.message == "libcurl (libcurl-missing-for-tests.so.4) is not available")
    #expect(server.requestCount == 0)
  }

  @Test func fallsBackToTheNextLibraryName() async throws {
    let transport = CurlTransport(libraryNames: ["libcurl-missing-for-tests.so.4", "libcurl.so.4"])
    #expect(transport.isAvailable)
    let server = try LoopbackHTTPServer { _ in .init(text: "ok") }
    #expect(try await fetch(transport, server.baseURL + "/x").get().body == Array("ok".utf8))
  }

  @Test func atMostTheLimitRunsAtOnceForAHost() async throws {
    let active = Atomic<Int>(0)
    let peak = Atomic<Int>(0)
    let server = try LoopbackHTTPServer { _ in
      let now = active.add(1, ordering: .relaxed).newValue
      peak.max(now, ordering: .relaxed)
      usleep(50_000)
      active.subtract(1, ordering: .relaxed)
      return .init(text: "ok")
    }
    let transport = CurlTransport(maximumConnectionsPerHost: 2)
    let statuses = await withTaskGroup(of: Int?.self) { group in
      for i in 0..<8 {
        group.addTask { try? await fetch(transport, server.baseURL + "/n\(i)").get().status }
      }
      return await group.reduce(into: [Int?]()) { $0.append($1) }
    }
    #expect(statuses == Array(repeating: 200, count: 8))
    #expect(peak.load(ordering: .relaxed) <= 2)
    #expect(server.requestCount == 8)
  }

  @Test func waitingForASlotCountsAgainstTheDeadline() async throws {
    let server = try LoopbackHTTPServer { request in
      .init(text: "slow", delayMilliseconds: request.path == "/slow" ? 3_000 : 0)
    }
    let transport = CurlTransport(maximumConnectionsPerHost: 1)
    let slow = Task { await fetch(transport, server.baseURL + "/slow", deadline: .seconds(20)) }
    try await Task.sleep(for: .milliseconds(100))
    let started = ContinuousClock.now
    let queued = await fetch(transport, server.baseURL + "/fast?token=SECRET", deadline: .milliseconds(300))
    #expect(queued.failure?.code == .timeout)
    #expect(queued.failure?.message.contains("SECRET") == false)
    #expect(ContinuousClock.now - started < .seconds(2.5))
    #expect(try await slow.value.get().status == 200)
    // The abandoned request was never sent.
    #expect(server.requests.map(\.path) == ["/slow"])
  }

  @Test func aCancelledWaitingRequestIsNeverSent() async throws {
    let server = try LoopbackHTTPServer { request in
      .init(text: "slow", delayMilliseconds: request.path == "/slow" ? 3_000 : 0)
    }
    let transport = CurlTransport(maximumConnectionsPerHost: 1)
    let slow = Task { await fetch(transport, server.baseURL + "/slow", deadline: .seconds(20)) }
    while server.requestCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
    let waiting = Task { await fetch(transport, server.baseURL + "/waiting") }
    try await Task.sleep(for: .milliseconds(50))
    waiting.cancel()
    #expect(await waiting.value.failure?.code == .cancelled)
    #expect(try await slow.value.get().status == 200)
    // A later request still gets the slot.
    #expect(try await fetch(transport, server.baseURL + "/after").get().status == 200)
    #expect(server.requests.map(\.path) == ["/slow", "/after"])
  }

  @Test func anAlreadyCancelledTaskSendsNothing() async throws {
    let server = try LoopbackHTTPServer { _ in .init(text: "ok") }
    let transport = CurlTransport()
    let task = Task {
      withUnsafeCurrentTask { $0?.cancel() }
      return await fetch(transport, server.baseURL + "/x")
    }
    #expect(await task.value.failure?.code == .cancelled)
    try await Task.sleep(for: .milliseconds(100))
    #expect(server.requestCount == 0)
  }

  @Test func sendsTheGivenHeadersAndNoHeaderInjection() async throws {
    let server = try LoopbackHTTPServer { _ in .init(text: "ok") }
    let headers: [(name: String, value: String)] = [
      ("Accept", "text/html,*/*"), ("X-Empty", ""), ("X-Bad", "a\r\nX-Injected: 1"), ("Bad Name", "x"),
    ]
    _ = try await fetch(CurlTransport(), server.baseURL + "/h", headers: headers).get()
    let request = try #require(server.requests.first)
    #expect(request.header("Accept") == "text/html,*/*")
    #expect(request.header("X-Empty") == "")
    #expect(request.header("X-Injected") == nil)
    #expect(request.header("X-Bad") == nil)
  }

  @Test func reusesItsHandlesAcrossManyRequests() async throws {
    let server = try LoopbackHTTPServer { request in .redirect("https://www.example.com\(request.target)") }
    let transport = CurlTransport(maximumConnectionsPerHost: 4)
    for round in 0..<3 {
      let count = await withTaskGroup(of: Bool.self) { group in
        for i in 0..<40 {
          group.addTask {
            (try? await fetch(transport, server.baseURL + "/r\(round)-\(i)").get().headers["Location"])
              == "https://www.example.com/r\(round)-\(i)"
          }
        }
        return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
      }
      #expect(count == 40)
    }
  }
}

/// A TCP port on 127.0.0.1 bound without listening: connections to it are refused, and no one
/// else can bind it until ``release()``.
struct PortReservation {
  let fd: Int32

  /// Binds `port`, retrying for up to a second while its previous owner lets go; nil on failure.
  init?(_ port: Int) async {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    for _ in 0..<100 {
      let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      }
      if bound == 0 {
        self.fd = fd
        return
      }
      try? await Task.sleep(for: .milliseconds(10))
    }
    close(fd)
    return nil
  }

  func release() { close(fd) }
}

extension Result {
  var failure: Failure? {
    if case .failure(let error) = self { return error }
    return nil
  }
}
