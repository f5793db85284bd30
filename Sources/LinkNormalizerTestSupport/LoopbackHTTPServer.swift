import Dispatch
import LinkNormalizerCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests of remote resolvers: no network, no dependencies
/// (Glibc sockets, one thread per connection).
///
/// Every connection carries one request and is closed after the response (`Connection: close`),
/// so each request is independent and a dropped connection never poisons a later one. The handler
/// decides the response; ``Response`` can also delay, drop the connection without answering, or
/// send fewer body bytes than its `Content-Length` announces.
///
/// Thread safety: all members may be used from any thread. The handler runs on the connection's
/// own thread, possibly several at once, so it must be `Sendable`. ``stop()`` (also run on
/// deinit, so keep a reference for as long as the server must answer) closes the listening
/// socket; connections still being served finish on their own (a delayed response gives up early
/// once the server is stopped).
public final class LoopbackHTTPServer: Sendable {
  /// One parsed request.
  public struct Request: Sendable {
    /// The method, e.g. `GET`.
    public var method: String
    /// The request target as sent: path and query, e.g. `/a/b?x=1`.
    public var target: String
    /// Header lines in the order received (names as sent).
    public var headers: [(name: String, value: String)]

    /// The path part of ``target`` (before any `?`).
    public var path: String {
      target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target
    }
    /// The raw query part of ``target`` (after the first `?`), not decoded; nil when absent.
    public var query: String? {
      target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) }
    }
    /// The first value of header `name` (case-insensitive), or nil.
    public func header(_ name: String) -> String? {
      let lowered = name.lowercased()
      return headers.first { $0.name.lowercased() == lowered }?.value
    }
    /// The first value of query parameter `name`, percent-decoded once (`+` stays `+`), or nil;
    /// read as ``ParsedLink/queryValue(_:)`` reads a link's query.
    public func queryValue(_ name: String) -> String? {
      guard let query else { return nil }
      return withUTF8Bytes(of: query) { bytes in
        ParsedLink.firstValue(of: name, in: bytes).map {
          PercentEncoding.decodeOnce(UnsafeBufferPointer(rebasing: bytes[$0]))
        }
      }
    }
  }

  /// What the server does with one request.
  public struct Response: Sendable {
    /// How the response is delivered.
    public enum Delivery: Sendable {
      /// Status line, headers and the whole body.
      case normal
      /// Close the connection without sending anything.
      case dropConnection
      /// Announce the full body's `Content-Length`, send only its first `sentBytes` bytes, close.
      case truncatedBody(sentBytes: Int)
    }

    public var status: Int
    /// Extra headers, sent in order. `Content-Length` and `Connection: close` are added.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Milliseconds to wait before answering (or dropping).
    public var delayMilliseconds: Int
    public var delivery: Delivery

    public init(
      status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
      delayMilliseconds: Int = 0, delivery: Delivery = .normal
    ) {
      self.status = status
      self.headers = headers
      self.body = body
      self.delayMilliseconds = delayMilliseconds
      self.delivery = delivery
    }

    /// A response with a UTF-8 text body.
    public init(
      status: Int = 200, headers: [(name: String, value: String)] = [], text: String, delayMilliseconds: Int = 0,
      delivery: Delivery = .normal
    ) {
      self.init(
        status: status, headers: headers, body: Array(text.utf8), delayMilliseconds: delayMilliseconds,
        delivery: delivery)
    }

    /// A JSON response (`Content-Type: application/json`).
    public static func json(_ text: String, status: Int = 200, headers: [(name: String, value: String)] = [])
      -> Response
    {
      Response(status: status, headers: [("Content-Type", "application/json")] + headers, text: text)
    }

    /// A redirect to `location` (no body).
    public static func redirect(_ location: String, status: Int = 302) -> Response {
      Response(status: status, headers: [("Location", location)])
    }

    /// Closes the connection without answering.
    public static let drop = Response(delivery: .dropConnection)
  }

  /// The port the server listens on (127.0.0.1).
  public let port: Int
  /// `http://127.0.0.1:<port>`.
  public var baseURL: String { "http://127.0.0.1:\(port)" }

  private let core: Core

  /// Starts listening on 127.0.0.1 at a free port. Throws when the socket cannot be set up.
  public init(handler: @escaping @Sendable (Request) -> Response) throws(ServerError) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ServerError("socket: errno \(errno)") }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 128) == 0 else {
      let code = errno
      close(fd)
      throw ServerError("bind/listen: errno \(code)")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    self.port = Int(UInt16(bigEndian: address.sin_port))
    let core = Core(listener: fd, handler: handler)
    self.core = core
    // The threads hold the core, not the server, so dropping the server stops it.
    runOnThread { core.acceptLoop() }
  }

  deinit { core.stop() }

  /// The number of requests received so far (parsed request heads, answered or not).
  public var requestCount: Int { core.state.withLock { $0.requests.count } }
  /// The requests received so far, in arrival order.
  public var requests: [Request] { core.state.withLock { $0.requests } }
  /// Whether ``stop()`` has been called.
  public var isStopped: Bool { core.isStopped }

  /// Stops accepting connections. Idempotent.
  public func stop() { core.stop() }

  /// A failure to set up the listening socket.
  public struct ServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
  }

  // MARK: Internals

  /// The listening socket, the handler and the request log, shared by the server's threads.
  private final class Core: Sendable {
    struct State {
      var stopped = false
      var requests: [Request] = []
    }

    let listener: Int32
    let handler: @Sendable (Request) -> Response
    let state = Mutex(State())

    init(listener: Int32, handler: @escaping @Sendable (Request) -> Response) {
      self.listener = listener
      self.handler = handler
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    func stop() {
      let first = state.withLock { s -> Bool in
        defer { s.stopped = true }
        return !s.stopped
      }
      // shutdown wakes the accept loop, which then closes the socket.
      if first { shutdown(listener, Int32(SHUT_RDWR)) }
    }

    func acceptLoop() {
      while true {
        let client = accept(listener, nil, nil)
        if client < 0 {
          if errno == EINTR && !isStopped { continue }
          break
        }
        if isStopped {
          close(client)
          break
        }
        runOnThread { [self] in serve(client) }
      }
      close(listener)
    }

    private func serve(_ fd: Int32) {
      defer { close(fd) }
      guard let request = readRequest(fd) else { return }
      state.withLock { $0.requests.append(request) }
      let response = handler(request)
      var waited = 0
      while waited < response.delayMilliseconds {
        if isStopped { return }
        let step = min(10, response.delayMilliseconds - waited)
        usleep(UInt32(step) * 1_000)
        waited += step
      }
      switch response.delivery {
      case .dropConnection:
        // An RST rather than a FIN: the client sees the connection reset, with nothing received.
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        return
      case .normal:
        sendAll(fd, head(response) + response.body)
      case .truncatedBody(let sentBytes):
        sendAll(fd, head(response) + response.body.prefix(max(0, sentBytes)))
      }
      shutdown(fd, Int32(SHUT_WR))
    }

    private func head(_ response: Response) -> [UInt8] {
      var text = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
      for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
      text += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
      return Array(text.utf8)
    }

    /// Reads up to the end of the request head (64 KiB at most); nil on EOF or garbage.
    private func readRequest(_ fd: Int32) -> Request? {
      var buffer: [UInt8] = []
      var chunk = [UInt8](repeating: 0, count: 4096)
      let terminator: [UInt8] = [13, 10, 13, 10]
      while buffer.count < 65_536 {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return nil }
        buffer.append(contentsOf: chunk[0..<n])
        if let end = Self.find(terminator, in: buffer) {
          return Self.parse(String(decoding: buffer[0..<end], as: UTF8.self))
        }
      }
      return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
      guard haystack.count >= needle.count else { return nil }
      for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
        return i
      }
      return nil
    }

    private static func parse(_ head: String) -> Request? {
      let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
      let parts = lines.first?.split(separator: " ") ?? []
      guard parts.count == 3 else { return nil }
      var headers: [(name: String, value: String)] = []
      for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
        headers.append((String(line[..<colon]), String(value)))
      }
      return Request(method: String(parts[0]), target: String(parts[1]), headers: headers)
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
      var offset = 0
      while offset < bytes.count {
        let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { return }
        offset += n
      }
    }

    private static func reason(_ status: Int) -> String {
      switch status {
      case 200: "OK"
      case 301: "Moved Permanently"
      case 302: "Found"
      case 303: "See Other"
      case 307: "Temporary Redirect"
      case 308: "Permanent Redirect"
      case 400: "Bad Request"
      case 401: "Unauthorized"
      case 403: "Forbidden"
      case 404: "Not Found"
      case 429: "Too Many Requests"
      case 500: "Internal Server Error"
      case 502: "Bad Gateway"
      case 503: "Service Unavailable"
      default: "Status"
      }
    }
  }
}

/// Runs `body` on a new detached thread, or here when no thread can be created.
private func runOnThread(_ body: @escaping @Sendable () -> Void) {
  if !spawnDetachedThread(body) { body() }
}
