public import LinkNormalizerCore
public import RemoteResolution

/// A client for the Just One API share-convert endpoints: turns a share URL into the full URL it
/// stands for. It names no platform; callers pass the endpoint path.
///
/// **Request.** `GET <baseURL><path>?token=<token>&shareUrl=<shareURL>`, both values
/// percent-encoded strictly (every byte outside `A-Z a-z 0-9 - . _ ~`), no redirects followed,
/// at most ``JustOneAPIConfiguration/maxBodyBytes`` read, within
/// ``JustOneAPIConfiguration/timeout`` per try.
///
/// **Precedence of the answer.** A JSON body with an integer `code` decides, whatever the HTTP
/// status: 0 is success when `data.redirect_url` (or `data.redirectUrl`, `data.url`, or `data`
/// as a string) is present, else `bad_response`; 100 `auth`, 301 `upstream`, 302 `rate_limited`,
/// 303 `quota`, 400 `invalid_params`, 500 `upstream`, 600 `permission`, 601 `balance`, any other
/// `api_error`. Without a code: HTTP 429 is `rate_limited`, HTTP 5xx `upstream`, anything else
/// (HTML pages, non-JSON, truncated or oversized bodies, JSON without a code) `bad_response`.
/// Transport failures are `timeout`, `network` or `cancelled`. Business-code errors carry the
/// details `api_code`, `api_message` (when given) and `http_status`; other answers `http_status`.
///
/// **Retries.** `timeout`, `network`, `upstream` and `rate_limited` are retried up to
/// ``JustOneAPIConfiguration/retries`` times with exponential backoff and jitter, or after the
/// answer's `Retry-After` seconds (capped by ``JustOneAPIConfiguration/retryAfterCap``). Each try
/// that is retried is recorded with ``NormalizationContext/recordTry(_:)`` under the caller's
/// handler name; the last failure is thrown.
///
/// **Stop spending.** After `auth`, `balance`, `permission` or `quota`, the client sends nothing
/// more for the rest of its life: later calls (and pending retries) return
/// ``ShareConvertResult/stopped(_:)`` with the same code, without a request.
///
/// **Secrecy.** The token appears only in the request URL. Messages are built from a URL with
/// `token=<redacted>`, and every message, detail and returned URL is scrubbed of the token (raw
/// and percent-encoded) before it leaves the client, even when the server echoes it.
///
/// Thread safety: a `Sendable` class; one instance serves any number of concurrent calls, with at
/// most ``JustOneAPIConfiguration/maximumConcurrentRequests`` requests in flight (further calls
/// wait their turn; the wait does not count against the deadline).
public final class JustOneAPIClient: Sendable {
  /// The settings this client was created with (printing it never shows the token).
  public let configuration: JustOneAPIConfiguration
  private let transport: any HTTPTransport
  private let gate = SpendingGate()
  private let counter = StatisticsCounter()
  private let limiter: ConcurrencyLimiter
  private let redactor: TokenRedactor

  /// Creates a client. `transport` defaults to a `CurlTransport` with
  /// ``JustOneAPIConfiguration/maximumConcurrentRequests`` connections per host.
  public init(configuration: JustOneAPIConfiguration, transport: (any HTTPTransport)? = nil) {
    self.configuration = configuration
    self.transport =
      transport ?? CurlTransport(maximumConnectionsPerHost: configuration.maximumConcurrentRequests)
    self.limiter = ConcurrencyLimiter(limit: configuration.maximumConcurrentRequests)
    self.redactor = TokenRedactor(configuration.token)
  }

  /// What the client has done so far (a snapshot).
  public var statistics: JustOneAPIStatistics { counter.snapshot }

  /// The code after which the client stopped spending, or nil while it still makes calls.
  public var stoppedAfter: ErrorCode? { gate.stoppedAfter }

  /// Converts `shareURL` with the endpoint at `path` (e.g. `/api/<platform>/share-url-transfer/v1`).
  ///
  /// - Parameters:
  ///   - handler: the name recorded on retried tries (e.g. `<platform>.justoneapi`).
  ///   - context: where retried tries are recorded.
  /// - Returns: the converted URL (not validated: the caller checks it is what it expects), or
  ///   ``ShareConvertResult/stopped(_:)`` when the client has stopped spending.
  /// - Throws: ``NormalizationError`` with the codes in the type's documentation.
  public func shareConvert(
    _ shareURL: String, path: String, handler: String, context: inout NormalizationContext
  ) async throws(NormalizationError) -> ShareConvertResult {
    let endpoint = configuration.baseURL + path
    let share = PercentEncoding.encodeComponent(shareURL)
    let token = PercentEncoding.encodeComponent(configuration.token.revealedValue)
    let shownURL = "\(endpoint)?token=<redacted>&shareUrl=\(share)"
    let request = HTTPRequest(
      url: "\(endpoint)?token=\(token)&shareUrl=\(share)", headers: [("Accept", "application/json")],
      deadline: configuration.timeout, maxBodyBytes: configuration.maxBodyBytes)
    let policy = configuration.retryPolicy
    var retry = 0
    while true {
      if let refusal = gate.refusal() {
        counter.stopped()
        return .stopped(refusal)
      }
      guard await limiter.acquire() else {
        throw NormalizationError(.cancelled, "Just One API call cancelled before it started; GET \(shownURL)")
      }
      counter.requestSent()
      let started = MonotonicTime.now()
      let answer: JustOneAPIAnswer
      do throws(NormalizationError) {
        answer = JustOneAPIAnswer(try await transport.get(request), shownURL: shownURL)
      } catch {
        answer = .failed(
          NormalizationError(error.code, "Just One API GET \(shownURL): \(error.message)", details: error.details),
          retryAfter: nil)
      }
      limiter.release()

      let failure: NormalizationError
      let retryAfter: Duration?
      switch answer {
      case .converted(let url):
        counter.converted()
        return .converted(redactor.scrub(url))
      case .failed(let error, let wait):
        failure = redactor.scrub(error)
        retryAfter = wait
      }
      counter.failed(failure.code)
      gate.record(failure.code)
      try await policy.prepareRetry(
        after: failure, retry: retry, retryAfter: retryAfter, started: started, handler: handler, context: &context
      ) { NormalizationError(.cancelled, "Just One API call cancelled while waiting to retry; GET \(shownURL)") }
      retry += 1
    }
  }
}

/// How a share-convert call ended when it did not throw.
public enum ShareConvertResult: Sendable, Hashable {
  /// The service's converted URL (token-free).
  case converted(String)
  /// No call was made: the client stopped spending earlier; the error has the code that stopped it.
  case stopped(NormalizationError)
}
