import Foundation
public import LinkNormalizerCore
public import RemoteResolution
import Synchronization

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// An ``HTTPTransport`` on Foundation's `URLSession` (libcurl on Linux), configured for resolvers:
/// the same contract as `CurlTransport` (the default), for programs that already link Foundation.
/// It links Foundation and FoundationNetworking (tens of megabytes, and a slower start-up).
///
/// - **Redirects** are never followed (a session delegate refuses every redirect; Linux ignores
///   per-task delegates), so a 3xx comes back as the response.
/// - **Deadline:** each request races a timer set to ``HTTPRequest/deadline``; when the timer
///   wins the request is cancelled and ``ErrorCode/timeout`` is thrown. (`URLSession`'s own
///   timeouts are idle timeouts on Linux and are not relied on.)
/// - **Body cap:** bytes are counted as they arrive; at ``HTTPRequest/maxBodyBytes`` the request
///   is cancelled and the response returned with ``HTTPResponse/BodyEnd/exceededLimit``.
/// - **Failures:** connection refused, reset, DNS and TLS failures throw ``ErrorCode/network``; a
///   connection that breaks after the response head returns the response with
///   ``HTTPResponse/BodyEnd/connectionClosed``; cancelling the calling task throws
///   ``ErrorCode/cancelled``.
/// - No cookies, no cache, no credentials storage.
///
/// Thread safety: one instance serves any number of concurrent requests (up to
/// `maximumConnectionsPerHost` connections to one host at a time; further requests queue inside
/// `URLSession`, and their queueing time counts against their deadline).
public final class URLSessionTransport: HTTPTransport {
  private let session: URLSession
  private let delegate: SessionDelegate

  /// Creates a transport with its own session. `maximumConnectionsPerHost` (at least 1; default
  /// 64) should be at least the caller's concurrency: `URLSession`'s default is 6.
  public init(maximumConnectionsPerHost: Int = 64) {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpMaximumConnectionsPerHost = max(1, maximumConnectionsPerHost)
    configuration.httpCookieStorage = nil
    configuration.httpShouldSetCookies = false
    configuration.urlCache = nil
    configuration.urlCredentialStorage = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    let delegate = SessionDelegate()
    self.delegate = delegate
    self.session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
  }

  deinit {
    session.invalidateAndCancel()
  }

  public func get(_ request: HTTPRequest) async throws(NormalizationError) -> HTTPResponse {
    guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(),
      scheme == "http" || scheme == "https",
      let host = url.host, !host.isEmpty
    else {
      throw NormalizationError(.invalidInput, "not an absolute http(s) URL")
    }
    var urlRequest = URLRequest(url: url)
    urlRequest.httpMethod = "GET"
    // An idle timeout a little longer than the deadline: the timer below is what enforces it.
    urlRequest.timeoutInterval = max(1, request.deadline.seconds + 1)
    for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }

    let call = PendingCall(host: host, maxBodyBytes: max(0, request.maxBodyBytes))
    let session = self.session
    let delegate = self.delegate
    let deadline = ContinuousClock.now.advanced(by: request.deadline)
    return try await call.answer.wait(until: deadline, allowed: request.deadline, host: host) {
      let task = session.dataTask(with: urlRequest)
      delegate.register(call, for: task.taskIdentifier)
      call.answer.onAnswer { task.cancel() }
      task.resume()
    }.get()
  }
}

/// The session-level delegate: refuses redirects and routes each task's events to its call.
private final class SessionDelegate: NSObject, URLSessionDataDelegate {
  private let calls = Mutex<[Int: PendingCall]>([:])

  func register(_ call: PendingCall, for taskIdentifier: Int) {
    calls.withLock { $0[taskIdentifier] = call }
  }

  private func call(_ task: URLSessionTask) -> PendingCall? {
    calls.withLock { $0[task.taskIdentifier] }
  }

  func urlSession(
    _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
  ) {
    completionHandler(nil)
  }

  func urlSession(
    _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
  ) {
    call(dataTask)?.received(response)
    completionHandler(.allow)
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
    call(dataTask)?.received(data)
  }

  func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
    let call = calls.withLock { $0.removeValue(forKey: task.taskIdentifier) }
    // A redirect refused by the delegate completes without a separate response event.
    if let response = task.response { call?.received(response) }
    call?.completed(error)
  }
}

/// One request in flight: collects the response, and resumes its caller exactly once (response,
/// failure, timeout or cancellation, whichever comes first).
private final class PendingCall: Sendable {
  let host: String
  let maxBodyBytes: Int
  private let state = Mutex(State())
  /// The caller's answer: given once, by the response, a failure, the deadline or cancellation.
  let answer = AnswerOnce()

  private struct State {
    var status: Int?
    var headers = HTTPHeaders()
    var body: [UInt8] = []
  }

  init(host: String, maxBodyBytes: Int) {
    self.host = host
    self.maxBodyBytes = maxBodyBytes
    // However the answer comes, the body collected so far is no longer needed.
    answer.onAnswer { [weak self] in self?.state.withLock { $0.body = [] } }
  }

  func received(_ response: URLResponse) {
    // The completion event repeats the head that the response event already delivered.
    guard let http = response as? HTTPURLResponse, state.withLock({ $0.status == nil }) else { return }
    var headers = HTTPHeaders()
    for (key, value) in http.allHeaderFields {
      headers.add(String(describing: key), String(describing: value))
    }
    state.withLock { s in
      if s.status == nil {
        s.status = http.statusCode
        s.headers = headers
      }
    }
  }

  func received(_ data: Data) {
    guard !answer.isGiven else { return }
    let capped = state.withLock { !HTTPResponse.append(data, to: &$0.body, cap: maxBodyBytes) }
    if capped { finishWithResponse(.exceededLimit) }
  }

  func completed(_ error: (any Error)?) {
    guard let error else {
      finishWithResponse(.complete)
      return
    }
    let headReceived = state.withLock { $0.status != nil }
    if headReceived {
      finishWithResponse(.connectionClosed)
    } else {
      finish(.failure(Self.map(error, host: host)))
    }
  }

  private func finishWithResponse(_ end: HTTPResponse.BodyEnd) {
    let response = state.withLock { s -> HTTPResponse? in
      s.status.map { HTTPResponse(status: $0, headers: s.headers, body: s.body, bodyEnd: end) }
    }
    if let response {
      finish(.success(response))
    } else {
      finish(.failure(NormalizationError(.network, "\(host): the connection ended without a response")))
    }
  }

  /// Resumes the caller with `outcome` unless already done (which cancels the task and the timer).
  func finish(_ outcome: Result<HTTPResponse, NormalizationError>) {
    answer.give(outcome)
  }

  /// Maps a `URLSession` failure to a stable code. The message names the host and the failure
  /// kind only (`URLError` descriptions may contain the URL, which may carry credentials).
  static func map(_ error: any Error, host: String) -> NormalizationError {
    guard let urlError = error as? URLError else {
      return NormalizationError(.network, "\(host): request failed")
    }
    let what: String
    switch urlError.code {
    case .timedOut: return NormalizationError(.timeout, "\(host): the connection went idle too long")
    case .cancelled: return NormalizationError(.cancelled, "\(host): request cancelled")
    case .cannotFindHost, .dnsLookupFailed: what = "host name not found"
    case .cannotConnectToHost: what = "connection refused"
    case .networkConnectionLost: what = "connection lost"
    case .notConnectedToInternet: what = "not connected"
    case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
      .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
      what = "TLS failure"
    case .badServerResponse, .zeroByteResource, .cannotParseResponse: what = "no valid HTTP response"
    default: what = "URLError \(urlError.code.rawValue)"
    }
    return NormalizationError(.network, "\(host): \(what)")
  }
}
