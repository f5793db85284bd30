public import RemoteResolution

/// How a ``JustOneAPIClient`` reaches the service and how patient it is. A value; `Sendable`.
/// Printing it never shows the token (see ``Secret``).
public struct JustOneAPIConfiguration: Sendable {
  /// The service's published deployments.
  public enum Region: String, Sendable, CaseIterable {
    /// `https://api.justoneapi.com` (the default).
    case global
    /// `http://47.117.133.51:30015`, recommended from mainland China (plain http).
    case cn

    /// The base URL of the region, without a trailing slash.
    public var baseURL: String {
      switch self {
      case .global: "https://api.justoneapi.com"
      case .cn: "http://47.117.133.51:30015"
      }
    }
  }

  /// The base URL requests go to, without a trailing slash; the endpoint path is appended.
  /// Set from a ``Region`` or given explicitly (the initializer taking `baseURL`, e.g. for a
  /// proxy or a test server); assigning it later overrides either.
  public var baseURL: String
  /// The access token, sent as the `token` query parameter and nowhere else.
  public var token: Secret
  /// The total deadline of one request, not an idle timeout (default 60 s, as the service
  /// advises). Each retry gets a fresh deadline.
  public var timeout: Duration
  /// Further tries after a retryable failure (`timeout`, `network`, `upstream`, `rate_limited`);
  /// default 2.
  public var retries: Int
  /// The wait before the first retry, doubled for each further one, with jitter (default 0.5 s).
  public var backoffBase: Duration
  /// The longest wait a `Retry-After` header can impose (default 30 s).
  public var retryAfterCap: Duration
  /// The most requests in flight at once from one client (default 16, at least 1). Also the
  /// default transport's connections per host.
  public var maximumConcurrentRequests: Int
  /// The most body bytes read from one answer (default 64 KiB); a longer answer is `bad_response`.
  public var maxBodyBytes: Int

  /// A configuration for one of the published regions.
  public init(
    token: Secret, region: Region = .global, timeout: Duration = .seconds(60), retries: Int = 2,
    backoffBase: Duration = .milliseconds(500), retryAfterCap: Duration = .seconds(30),
    maximumConcurrentRequests: Int = 16, maxBodyBytes: Int = 64 * 1024
  ) {
    self.init(
      token: token, baseURL: region.baseURL, timeout: timeout, retries: retries, backoffBase: backoffBase,
      retryAfterCap: retryAfterCap, maximumConcurrentRequests: maximumConcurrentRequests, maxBodyBytes: maxBodyBytes)
  }

  /// A configuration for any base URL (e.g. a proxy, or a loopback server in tests). A trailing
  /// `/` is removed.
  public init(
    token: Secret, baseURL: String, timeout: Duration = .seconds(60), retries: Int = 2,
    backoffBase: Duration = .milliseconds(500), retryAfterCap: Duration = .seconds(30),
    maximumConcurrentRequests: Int = 16, maxBodyBytes: Int = 64 * 1024
  ) {
    var base = baseURL
    while base.hasSuffix("/") { base.removeLast() }
    self.baseURL = base
    self.token = token
    self.timeout = timeout
    self.retries = max(0, retries)
    self.backoffBase = backoffBase
    self.retryAfterCap = retryAfterCap
    self.maximumConcurrentRequests = max(1, maximumConcurrentRequests)
    self.maxBodyBytes = max(1, maxBodyBytes)
  }

  /// The retry policy these settings describe.
  public var retryPolicy: RetryPolicy {
    RetryPolicy(retries: retries, backoffBase: backoffBase, retryAfterCap: retryAfterCap)
  }
}
