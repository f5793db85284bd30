import CCurlShim
public import LinkNormalizerCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The production ``HTTPTransport``: libcurl's easy interface, loaded at run time with `dlopen`
/// (no link-time dependency, no Foundation), configured for resolvers.
///
/// - **Redirects** are never followed (`CURLOPT_FOLLOWLOCATION` off), so a 3xx comes back as the
///   response. Only `http` and `https` are allowed.
/// - **Deadline:** ``HTTPRequest/deadline`` is a total deadline counted from the call: time spent
///   waiting for a connection slot, DNS, connecting, TLS, the head and the body all count. When
///   it passes, ``ErrorCode/timeout`` is thrown at once (a timer) and libcurl is stopped
///   (`CURLOPT_TIMEOUT_MS` set to the time left when the transfer starts).
/// - **Body cap:** bytes are counted as they arrive (after content decoding; gzip, deflate and
///   what else the library supports are accepted); past ``HTTPRequest/maxBodyBytes`` the transfer
///   is aborted and the response returned with ``HTTPResponse/BodyEnd/exceededLimit`` and the
///   first `maxBodyBytes` bytes.
/// - **Headers:** the fields of the final response head, in order, one entry per field line (a
///   repeated field is not joined), looked up case-insensitively; the first one wins.
/// - **Failures:** DNS, connection, TLS and protocol failures before the response head throw
///   ``ErrorCode/network``; a connection that breaks after the head returns the response with
///   ``HTTPResponse/BodyEnd/connectionClosed``; cancelling the calling task throws
///   ``ErrorCode/cancelled`` at once (the transfer itself stops at libcurl's next progress call,
///   within about a second); a URL that is not absolute `http(s)` throws
///   ``ErrorCode/invalidInput``. Messages name the host only, never the URL (its query may carry
///   a token). When libcurl cannot be loaded, every request throws ``ErrorCode/network``
///   (`libcurl (libcurl.so.4) is not available`).
/// - No cookies, no cache, no `.netrc`; proxies from the usual environment variables
///   (`https_proxy`, `no_proxy`, …) are honoured, as libcurl does by default.
///
/// **Threads and limits.** `curl_easy_perform` blocks, so each running request has a thread of
/// its own, outside Swift's cooperative pool; the caller's task is suspended (a checked
/// continuation), not blocked. At most `maximumConnectionsPerHost` requests per host run at
/// once; further requests to that host wait in arrival order, and a thread that finishes takes
/// the next waiting request for its host before it exits. Easy handles (and the keep-alive
/// connections they cache) are reused across requests; up to `maximumConnectionsPerHost` idle
/// ones are kept until the transport is released.
///
/// Thread safety: one instance serves any number of concurrent requests from any task or thread.
public final class CurlTransport: HTTPTransport {
  /// The names tried, in order, when none are given: `libcurl.so.4`, then `libcurl.so`.
  public static let defaultLibraryNames = ["libcurl.so.4", "libcurl.so"]

  private let libraryNames: [String]
  private let limit: Int
  /// nil until the library is first needed; then the engine, or nil inside when it cannot load.
  private let loaded = Mutex<CurlEngine??>(nil)
  private let unavailableMessage: String

  /// Creates a transport. `maximumConnectionsPerHost` (at least 1; default 64) bounds the requests
  /// running at once to one host (each uses one thread); it should be at least the caller's
  /// concurrency. `libraryNames` are tried in order with `dlopen`; the first that loads and
  /// provides the functions needed is used. Loading happens on first use (a request,
  /// ``isAvailable`` or ``libraryVersion``), once per name per process, so a transport that is
  /// never used costs nothing.
  public init(maximumConnectionsPerHost: Int = 64, libraryNames: [String] = CurlTransport.defaultLibraryNames) {
    self.libraryNames = libraryNames
    self.limit = max(1, maximumConnectionsPerHost)
    self.unavailableMessage = "libcurl (\(libraryNames.first ?? "libcurl.so.4")) is not available"
  }

  /// The engine, loading the library on first use; nil when it cannot be loaded.
  private var engine: CurlEngine? {
    loaded.withLock { state -> CurlEngine? in
      if let tried = state { return tried }
      let engine = libraryNames.lazy.compactMap { CurlLibrary.load($0) }.first.map {
        CurlEngine(library: $0, limit: limit)
      }
      state = .some(engine)
      return engine
    }
  }

  /// Whether libcurl was loaded; when false, every request throws ``ErrorCode/network``.
  public var isAvailable: Bool { engine != nil }

  /// The loaded library's version text (e.g. `libcurl/7.88.1 OpenSSL/3.0.x zlib/1.2.13 …`), or nil.
  public var libraryVersion: String? { engine?.library.version }

  /// Performs `request` (see the type for redirects, the deadline, the body cap, headers and
  /// failure modes). Suspends the calling task without blocking its thread; safe to call from
  /// any number of tasks at once.
  public func get(_ request: HTTPRequest) async throws(NormalizationError) -> HTTPResponse {
    guard let engine else { throw NormalizationError(.network, unavailableMessage) }
    let started = ContinuousClock.now
    guard var reference = URIReference(request.url), let scheme = reference.scheme?.lowercased(),
      scheme == "http" || scheme == "https", let authority = reference.authority,
      let parts = URIReference.splitAuthority(authority), !parts.host.isEmpty
    else {
      throw NormalizationError(.invalidInput, "not an absolute http(s) URL")
    }
    reference.fragment = nil
    let host = parts.host.lowercased()
    let call = CurlCall(
      url: reference.text, headers: request.headers, host: host, maxBodyBytes: max(0, request.maxBodyBytes),
      deadline: started.advanced(by: request.deadline), allowed: request.deadline)
    return try await call.answer.wait(until: call.deadline, allowed: request.deadline, host: host) {
      engine.submit(call)
    }.get()
  }
}

// MARK: - The library

/// A loaded libcurl: an immutable table of C function pointers, valid for the whole process.
final class CurlLibrary: @unchecked Sendable {
  // @unchecked: the table is written once by ccurl_load (under its lock) and only read after.
  let pointer: OpaquePointer

  private init(pointer: OpaquePointer) { self.pointer = pointer }

  /// The library `name`, loaded (and `curl_global_init` run) on first use; nil when unavailable.
  /// `ccurl_load` keeps one table per name for the process, under its own lock.
  static func load(_ name: String) -> CurlLibrary? {
    ccurl_load(name).map(CurlLibrary.init(pointer:))
  }

  var version: String { String(cString: ccurl_version(pointer)) }
}

/// An easy handle, moved between the pool and the thread using it (never used by two at once).
struct EasyHandle: @unchecked Sendable {
  let raw: UnsafeMutableRawPointer
}

// MARK: - One request

/// One request: resumes its caller exactly once (response, failure, timeout or cancellation,
/// whichever comes first). Once finished it is "abandoned": a transfer still running for it
/// stops at libcurl's next callback.
final class CurlCall: Sendable {
  let url: String
  let headers: [(name: String, value: String)]
  let host: String
  let maxBodyBytes: Int
  let deadline: ContinuousClock.Instant
  let allowed: Duration
  /// The caller's answer: given once, by the transfer, the deadline or cancellation.
  let answer = AnswerOnce()

  init(
    url: String, headers: [(name: String, value: String)], host: String, maxBodyBytes: Int,
    deadline: ContinuousClock.Instant, allowed: Duration
  ) {
    self.url = url
    self.headers = headers
    self.host = host
    self.maxBodyBytes = maxBodyBytes
    self.deadline = deadline
    self.allowed = allowed
  }

  /// Whether the caller has been answered (the transfer, if any, should stop).
  var isFinished: Bool { answer.isGiven }

  var timeoutError: NormalizationError { AnswerOnce.timeoutError(host: host, allowed: allowed) }

  /// Resumes the caller with `outcome` unless already done, and stops the timer.
  func finish(_ outcome: Result<HTTPResponse, NormalizationError>) {
    answer.give(outcome)
  }
}

// MARK: - Threads, limits and handles

/// Runs calls on threads of its own, at most `limit` at once per host, reusing easy handles.
final class CurlEngine: Sendable {
  let library: CurlLibrary
  let limit: Int
  private let state = Mutex(State())

  private struct State {
    /// Per host: requests running, and those waiting in arrival order.
    var lanes: [String: Lane] = [:]
    /// Idle easy handles, most recently used last, with the host they last talked to.
    var idle: [(host: String, handle: EasyHandle)] = []
  }

  private struct Lane {
    var running = 0
    var waiting: [CurlCall] = []
  }

  init(library: CurlLibrary, limit: Int) {
    self.library = library
    self.limit = limit
  }

  deinit {
    let handles = state.withLock { s in s.idle.map(\.handle) }
    for handle in handles { ccurl_easy_cleanup(library.pointer, handle.raw) }
  }

  /// Starts `call` on a new thread, or queues it behind the requests running for its host.
  func submit(_ call: CurlCall) {
    let start = state.withLock { s -> Bool in
      var lane = s.lanes[call.host] ?? Lane()
      defer { s.lanes[call.host] = lane }
      if lane.running < limit {
        lane.running += 1
        return true
      }
      lane.waiting.append(call)
      return false
    }
    guard start else { return }
    guard !spawnDetachedThread({ [self] in runLane(startingWith: call) }) else { return }
    // No thread: fail this call and those queued behind it, and give the slot back.
    let failure = NormalizationError(.network, "\(call.host): cannot start a thread for the request")
    var pending: CurlCall? = call
    while let failed = pending {
      failed.finish(.failure(failure))
      pending = next(after: call.host)
    }
  }

  /// The body of a request thread: performs `first`, then the requests waiting for its host,
  /// one after another, until none is left.
  private func runLane(startingWith first: CurlCall) {
    let host = first.host
    var handle: EasyHandle? = nil
    var current: CurlCall? = first
    while let call = current {
      if !call.isFinished {
        if handle == nil { handle = takeHandle(for: host) }
        if let handle {
          perform(call, on: handle)
        } else {
          call.finish(.failure(NormalizationError(.network, "\(host): libcurl could not create a handle")))
        }
      }
      current = next(after: host)
      if current == nil, let handle {
        park(handle, host: host)
      }
    }
  }

  /// The next waiting call for `host` that is still wanted, or nil after giving up the slot.
  private func next(after host: String) -> CurlCall? {
    state.withLock { s -> CurlCall? in
      guard var lane = s.lanes[host] else { return nil }
      while !lane.waiting.isEmpty {
        let call = lane.waiting.removeFirst()
        if !call.isFinished {
          s.lanes[host] = lane
          return call
        }
      }
      lane.running -= 1
      s.lanes[host] = lane.running > 0 ? lane : nil
      return nil
    }
  }

  /// An idle handle, preferably one that last talked to `host` (it may hold a live connection).
  private func takeHandle(for host: String) -> EasyHandle? {
    let reused = state.withLock { s -> EasyHandle? in
      if let i = s.idle.lastIndex(where: { $0.host == host }) { return s.idle.remove(at: i).handle }
      return s.idle.popLast()?.handle
    }
    if let reused { return reused }
    return ccurl_easy_init(library.pointer).map(EasyHandle.init)
  }

  /// Returns a handle to the idle pool; closes the oldest one when the pool is full.
  private func park(_ handle: EasyHandle, host: String) {
    let evicted = state.withLock { s -> EasyHandle? in
      s.idle.append((host, handle))
      return s.idle.count > limit ? s.idle.removeFirst().handle : nil
    }
    if let evicted { ccurl_easy_cleanup(library.pointer, evicted.raw) }
  }

  // MARK: The transfer

  /// Performs `call` on `handle` (on the calling thread, blocking) and finishes it.
  private func perform(_ call: CurlCall, on handle: EasyHandle) {
    let remaining = ContinuousClock.now.duration(to: call.deadline)
    guard remaining > .zero else {
      call.finish(.failure(call.timeoutError))
      return
    }
    let lib = library.pointer
    let easy = handle.raw
    ccurl_easy_reset(lib, easy)

    var list: UnsafeMutableRawPointer? = nil
    defer {
      // Detach the list before freeing it, so the idle handle keeps no dangling pointer.
      _ = ccurl_setopt_pointer(lib, easy, Int32(CCURLOPT_HTTPHEADER), nil)
      if let list { ccurl_slist_free_all(lib, list) }
    }
    for (name, value) in call.headers {
      // A name or value that could split the request (CR, LF, NUL) or an invalid name is skipped.
      guard !name.isEmpty, !name.utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: ":") || $0 == 0x7F }),
        !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 })
      else { continue }
      // "Name;" sends an empty value ("Name:" would remove the header).
      let line = value.isEmpty ? "\(name);" : "\(name): \(value)"
      guard let appended = line.withCString({ ccurl_slist_append(lib, list, $0) }) else {
        call.finish(.failure(NormalizationError(.network, "\(call.host): out of memory")))
        return
      }
      list = appended
    }

    let transfer = Transfer(call: call)
    let context = Unmanaged.passUnretained(transfer).toOpaque()
    let milliseconds = max(1, Int(min(remaining, .seconds(1 << 30)).milliseconds))
    var failed = false
    func set(_ option: Int, _ value: Int) { failed = failed || ccurl_setopt_long(lib, easy, Int32(option), value) != 0 }
    func set(_ option: Int, pointer: UnsafeRawPointer?) {
      failed = failed || ccurl_setopt_pointer(lib, easy, Int32(option), pointer) != 0
    }
    let urlSet = call.url.withCString { ccurl_setopt_pointer(lib, easy, Int32(CCURLOPT_URL), $0) }
    guard urlSet == CCURLE_OK else {
      call.finish(.failure(NormalizationError(.invalidInput, "\(call.host): not a URL libcurl accepts")))
      return
    }
    // Only http and https, also as a defence in depth (PROTOCOLS_STR needs libcurl 7.85).
    let protocols = "http,https".withCString { ccurl_setopt_pointer(lib, easy, Int32(CCURLOPT_PROTOCOLS_STR), $0) }
    if protocols != CCURLE_OK { set(CCURLOPT_PROTOCOLS, CCURLPROTO_HTTP | CCURLPROTO_HTTPS) }
    set(CCURLOPT_HTTPGET, 1)
    set(CCURLOPT_FOLLOWLOCATION, 0)
    set(CCURLOPT_NOSIGNAL, 1)
    set(CCURLOPT_TIMEOUT_MS, milliseconds)
    set(CCURLOPT_CONNECTTIMEOUT_MS, milliseconds)
    // Empty string: every encoding this libcurl can decode.
    "".withCString { set(CCURLOPT_ACCEPT_ENCODING, pointer: $0) }
    if let list { set(CCURLOPT_HTTPHEADER, pointer: list) }
    set(CCURLOPT_WRITEDATA, pointer: context)
    set(CCURLOPT_HEADERDATA, pointer: context)
    set(CCURLOPT_XFERINFODATA, pointer: context)
    set(CCURLOPT_NOPROGRESS, 0)
    failed =
      failed
      || ccurl_setopt_data_callback(lib, easy, Int32(CCURLOPT_WRITEFUNCTION)) { data, size, count, context in
        let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
        let length = size * count
        return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
      } != 0
    failed =
      failed
      || ccurl_setopt_data_callback(lib, easy, Int32(CCURLOPT_HEADERFUNCTION)) { data, size, count, context in
        let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
        let length = size * count
        return transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
      } != 0
    failed =
      failed
      || ccurl_setopt_xferinfo_callback(lib, easy) { context, _, _, _, _ in
        let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
        return transfer.shouldAbort ? 1 : 0
      } != 0
    guard !failed else {
      call.finish(.failure(NormalizationError(.network, "\(call.host): libcurl refused the request options")))
      return
    }

    let code = withExtendedLifetime(transfer) { Int(ccurl_easy_perform(lib, easy)) }
    guard !call.isFinished else { return }  // cancelled or timed out meanwhile: already answered
    call.finish(transfer.outcome(code))
  }
}

/// What one transfer has received so far. Used only on the thread running the transfer.
private final class Transfer {
  let call: CurlCall
  /// When the progress callback stops the transfer even if libcurl's own timeout has not fired
  /// (e.g. a resolver that ignores it).
  let hardStop: ContinuousClock.Instant
  var status: Int? = nil
  var fields: [(name: String, value: String)] = []
  var headComplete = false
  var body: [UInt8] = []
  var exceeded = false

  init(call: CurlCall) {
    self.call = call
    self.hardStop = call.deadline.advanced(by: .milliseconds(250))
  }

  /// Whether the progress callback should abort the transfer.
  var shouldAbort: Bool { call.isFinished || ContinuousClock.now >= hardStop }

  /// Appends body bytes up to the cap; false (abort) once the cap is passed or the call is over.
  func receiveBody(_ data: UnsafeRawBufferPointer) -> Bool {
    if call.isFinished { return false }
    guard HTTPResponse.append(data, to: &body, cap: call.maxBodyBytes) else {
      exceeded = true
      return false
    }
    return true
  }

  /// Takes one header line (status line, field, folded continuation, or the blank line that ends
  /// a head); false (abort) when the call is over.
  func receiveHeaderLine(_ data: UnsafeRawBufferPointer) -> Bool {
    if call.isFinished { return false }
    var line = data[...]
    while let last = line.last, last == 0x0A || last == 0x0D { line = line.dropLast() }
    if line.starts(with: "HTTP/".utf8) {
      // A new head (after a 1xx, or the only one): forget the previous one.
      status = Self.statusCode(line)
      fields = []
      headComplete = false
      return true
    }
    if headComplete { return true }  // trailers after a chunked body: ignored
    if line.isEmpty {
      if let status, status >= 200 { headComplete = true }
      return true
    }
    if let first = line.first, first == 0x20 || first == 0x09 {
      if !fields.isEmpty {
        let more = Self.trimmed(line)
        if !more.isEmpty { fields[fields.count - 1].value += " " + String(decoding: more, as: UTF8.self) }
      }
      return true
    }
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return true }
    let name = Self.trimmed(line[..<colon])
    guard !name.isEmpty else { return true }
    let value = Self.trimmed(line[(colon + 1)...])
    fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
    return true
  }

  /// The call's outcome for libcurl's result `code`.
  func outcome(_ code: Int) -> Result<HTTPResponse, NormalizationError> {
    let host = call.host
    switch code {
    case Int(CCURLE_OK):
      return response(.complete)
        ?? .failure(NormalizationError(.network, "\(host): the connection ended without a response"))
    case Int(CCURLE_WRITE_ERROR) where exceeded:
      return response(.exceededLimit) ?? .failure(NormalizationError(.network, "\(host): no valid HTTP response"))
    case Int(CCURLE_OPERATION_TIMEDOUT), Int(CCURLE_ABORTED_BY_CALLBACK):
      return .failure(call.timeoutError)
    default:
      if let response = response(.connectionClosed) { return response }
      return .failure(NormalizationError(.network, "\(host): \(Self.describe(code))"))
    }
  }

  /// The response so far with `end`, when a complete head has arrived.
  private func response(_ end: HTTPResponse.BodyEnd) -> Result<HTTPResponse, NormalizationError>? {
    guard headComplete, let status else { return nil }
    return .success(HTTPResponse(status: status, headers: HTTPHeaders(fields), body: body, bodyEnd: end))
  }

  /// A failure kind for a libcurl error code, without anything from the URL.
  static func describe(_ code: Int) -> String {
    switch code {
    case Int(CCURLE_COULDNT_RESOLVE_HOST): return "host name not found"
    case Int(CCURLE_COULDNT_RESOLVE_PROXY): return "proxy host name not found"
    case Int(CCURLE_COULDNT_CONNECT): return "connection refused"
    case Int(CCURLE_PROXY): return "proxy failure"
    case Int(CCURLE_SSL_CONNECT_ERROR), Int(CCURLE_SSL_CERTPROBLEM), Int(CCURLE_SSL_CIPHER),
      Int(CCURLE_PEER_FAILED_VERIFICATION), Int(CCURLE_SSL_CACERT_BADFILE), Int(CCURLE_SSL_SHUTDOWN_FAILED),
      Int(CCURLE_SSL_CRL_BADFILE), Int(CCURLE_SSL_ISSUER_ERROR), Int(CCURLE_SSL_PINNEDPUBKEYNOTMATCH),
      Int(CCURLE_SSL_INVALIDCERTSTATUS), Int(CCURLE_SSL_CLIENTCERT):
      return "TLS failure"
    case Int(CCURLE_SEND_ERROR), Int(CCURLE_RECV_ERROR), Int(CCURLE_PARTIAL_FILE): return "connection lost"
    case Int(CCURLE_GOT_NOTHING): return "connection closed without a response"
    case Int(CCURLE_WEIRD_SERVER_REPLY), Int(CCURLE_BAD_CONTENT_ENCODING): return "no valid HTTP response"
    case Int(CCURLE_HTTP2), Int(CCURLE_HTTP2_STREAM), Int(CCURLE_HTTP3), Int(CCURLE_QUIC_CONNECT_ERROR):
      return "HTTP/2 or HTTP/3 protocol error"
    case Int(CCURLE_UNSUPPORTED_PROTOCOL), Int(CCURLE_URL_MALFORMAT): return "not a URL libcurl accepts"
    case Int(CCURLE_OUT_OF_MEMORY): return "out of memory"
    default: return "libcurl error \(code)"
    }
  }

  /// The three-digit code of a status line (`HTTP/1.1 302 Found`, `HTTP/2 200`), or nil.
  static func statusCode(_ line: UnsafeRawBufferPointer.SubSequence) -> Int? {
    guard let space = line.firstIndex(of: 0x20) else { return nil }
    let digits = line[(space + 1)...].prefix(3)
    guard digits.count == 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
  }

  static func trimmed(_ bytes: UnsafeRawBufferPointer.SubSequence) -> UnsafeRawBufferPointer.SubSequence {
    var slice = bytes
    while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
    while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
    return slice
  }
}
