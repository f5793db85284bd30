public import LinkNormalizerCore

/// Resolves a short link by asking its own host: one GET (never HEAD: some short-link hosts answer
/// HEAD with an error), redirects not followed, and the **first** `Location` of a 301, 302, 303,
/// 307 or 308 taken as the answer.
///
/// **What it contacts.** Only hosts in ``ShortLinkSpec/hosts``, over https (an `http://` short
/// link or hop is upgraded), at the default port, without the link's user info or fragment. The
/// host is checked before every request. A `Location` on another declared host is followed, up to
/// ``Configuration/maximumHops`` further requests; a `Location` anywhere else (any other host, an
/// IP address, another port or scheme) is never contacted: it is returned as the resolution, and
/// ``ShortLinkNormalizer`` then accepts it only if the platform's strict parsers read an id from it
/// (otherwise `not_found`, this resolver's ``unusableResultCode``).
///
/// **Failure modes** (thrown ``NormalizationError`` codes):
/// - `not_found`: the answer is not a redirect (`http_status` detail), a redirect without a usable
///   `Location`, or still a short-link host after the hop limit;
/// - `timeout`, `network`: per try, retried; `upstream` (HTTP 5xx) and `rate_limited` (HTTP 429,
///   honouring `Retry-After` up to the policy's cap): retried. Each failed try that is retried is
///   recorded in the trail as `<platform>.redirect` with ``NormalizationContext/recordTry(_:)``;
///   the last one is thrown;
/// - `cancelled` when the calling task is cancelled; `invalid_input` when the link is not on a
///   declared host or cannot be turned into a request URL (nothing is sent).
///
/// Thread safety: a `Sendable` value; one instance serves any number of concurrent calls.
public struct HTTPRedirectResolver: ShortLinkResolver {
  /// How the resolver behaves. A value; every field has a production default.
  public struct Configuration: Sendable {
    /// Further requests allowed after the first, when a `Location` points to another declared
    /// short-link host (default 3).
    public var maximumHops: Int
    /// The total deadline of one request (not an idle timeout; default 10 s). Retries and hops
    /// each get a fresh deadline.
    public var timeout: Duration
    /// Retries of one request after `timeout`, `network`, HTTP 5xx or 429 (default: 2 retries,
    /// 0.5 s base backoff).
    public var retry: RetryPolicy
    /// The most body bytes read from any answer (default 8 KiB): only headers matter here.
    public var maxBodyBytes: Int
    /// Connections per host of the default transport (default 64); ignored when a transport is
    /// passed to ``HTTPRedirectResolver/init(configuration:transport:)``.
    public var maximumConnectionsPerHost: Int
    /// **Test hook: never set it in production.** Maps a declared short-link host (lower-case)
    /// to the endpoint actually connected to, e.g. `sl.test` → `http://127.0.0.1:<port>`, or nil
    /// to connect to the host itself over https. It is consulted only after the host has passed
    /// the ``ShortLinkSpec/hosts`` check, so it cannot widen what the resolver may contact;
    /// `Location` values are still resolved against the declared host's https URL.
    public var endpointOverride: (@Sendable (String) -> RemoteEndpoint?)?

    public init(
      maximumHops: Int = 3, timeout: Duration = .seconds(10), retry: RetryPolicy = RetryPolicy(),
      maxBodyBytes: Int = 8 * 1024, maximumConnectionsPerHost: Int = 64,
      endpointOverride: (@Sendable (String) -> RemoteEndpoint?)? = nil
    ) {
      self.maximumHops = max(0, maximumHops)
      self.timeout = timeout
      self.retry = retry
      self.maxBodyBytes = maxBodyBytes
      self.maximumConnectionsPerHost = maximumConnectionsPerHost
      self.endpointOverride = endpointOverride
    }
  }

  /// `redirect`; handler names are `<platform>.redirect`.
  public let name = "redirect"
  /// `not_found`: a redirect to a URL the platform's parsers reject means the short link leads
  /// nowhere useful.
  public var unusableResultCode: ErrorCode { .notFound }
  /// The settings this resolver was created with.
  public let configuration: Configuration
  private let transport: any HTTPTransport

  /// Creates the resolver. `transport` defaults to a ``CurlTransport`` with
  /// ``Configuration/maximumConnectionsPerHost`` connections per host.
  public init(configuration: Configuration = Configuration(), transport: (any HTTPTransport)? = nil) {
    self.configuration = configuration
    self.transport =
      transport ?? CurlTransport(maximumConnectionsPerHost: configuration.maximumConnectionsPerHost)
  }

  /// Resolves `link` by its host's first redirect (see the type's documentation for what is
  /// contacted, hops, retries and failure modes).
  public func resolve(_ link: ParsedLink, spec: ShortLinkSpec, context: inout NormalizationContext)
    async throws(NormalizationError) -> ResolverOutcome
  {
    let handler = "\(spec.platform).\(name)"
    var host = link.host
    var target = link.target
    var hop = 0
    while true {
      // The SSRF guard: nothing is requested from a host the platform did not declare.
      guard spec.hosts.contains(host) else {
        throw NormalizationError(.invalidInput, "refusing to contact \(host): not a declared short-link host")
      }
      let logicalURL = "https://\(host)\(target)"
      let response = try await fetch(
        logicalURL, host: host, target: target, spec: spec, handler: handler, context: &context)
      let status = String(response.status)
      guard response.isRedirect else {
        throw NormalizationError(
          .notFound, "\(host) answered HTTP \(status), not a redirect", details: [Field("http_status", status)])
      }
      guard let header = response.headers["Location"], case let value = RedirectLocation.firstValue(header),
        !value.isEmpty
      else {
        throw NormalizationError(
          .notFound, "\(host) answered HTTP \(status) without a Location", details: [Field("http_status", status)])
      }
      guard let location = RedirectLocation(value, relativeTo: logicalURL) else {
        throw NormalizationError(
          .notFound, "\(host) redirected to something that is not a URL: \(value.prefix(300))",
          details: [Field("http_status", status)])
      }
      guard location.isContactable(within: spec.hosts) else {
        return .resolved(Resolution(url: location.absolute, resolver: name))
      }
      guard hop < configuration.maximumHops else {
        throw NormalizationError(
          .notFound,
          "still on a short-link host after \(configuration.maximumHops + 1) requests: \(location.absolute.prefix(300))",
          details: [Field("http_status", status)])
      }
      hop += 1
      host = location.host
      target = location.target
    }
  }

  /// One request with retries. Returns any HTTP answer except 5xx and 429, which are retried and
  /// thrown as `upstream` / `rate_limited` when the retries run out.
  private func fetch(
    _ logicalURL: String, host: String, target: String, spec: ShortLinkSpec, handler: String,
    context: inout NormalizationContext
  ) async throws(NormalizationError) -> HTTPResponse {
    let url = configuration.endpointOverride?(host)?.url(target) ?? logicalURL
    var headers: [(name: String, value: String)] = [("Accept", "text/html,*/*")]
    if let userAgent = spec.userAgent { headers.append(("User-Agent", userAgent)) }
    let request = HTTPRequest(
      url: url, headers: headers, deadline: configuration.timeout, maxBodyBytes: configuration.maxBodyBytes)
    var retry = 0
    while true {
      let started = MonotonicTime.now()
      let error: NormalizationError
      var retryAfter: Duration? = nil
      do throws(NormalizationError) {
        let response = try await transport.get(request)
        switch response.status {
        case 500...599:
          retryAfter = RetryPolicy.retryAfter(response.headers["Retry-After"])
          error = NormalizationError(
            .upstream, "\(host) answered HTTP \(response.status)",
            details: [Field("http_status", String(response.status))])
        case 429:
          retryAfter = RetryPolicy.retryAfter(response.headers["Retry-After"])
          error = NormalizationError(
            .rateLimited, "\(host) answered HTTP 429 (too many requests)", details: [Field("http_status", "429")])
        default:
          return response
        }
      } catch let failure {
        error = failure
      }
      try await configuration.retry.prepareRetry(
        after: error, retry: retry, retryAfter: retryAfter, started: started, handler: handler, context: &context
      ) { NormalizationError(.cancelled, "\(host): cancelled while waiting to retry") }
      retry += 1
    }
  }
}
