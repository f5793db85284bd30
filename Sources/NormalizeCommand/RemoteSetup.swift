import JustOneAPI
import LinkNormalizerCore
import RemoteResolution
import SQLiteCache
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Counts the requests a resolver sends. (The libcurl transport it wraps loads the library only
/// when the first request is made, so runs without short links pay nothing for it.)
final class CountingTransport: HTTPTransport {
  private let transport: any HTTPTransport
  private let count = Atomic<Int>(0)

  init(_ transport: any HTTPTransport) { self.transport = transport }

  var requests: Int { count.load(ordering: .relaxed) }

  func get(_ request: HTTPRequest) async throws(NormalizationError) -> HTTPResponse {
    count.add(1, ordering: .relaxed)
    return try await transport.get(request)
  }
}

/// Opens the SQLite cache on first use, so runs without short links never touch the file. An
/// open that fails throws, which switches the cache off for the run with one warning.
final class LazySQLiteCache: ResolutionCache {
  let path: String
  private let state = Mutex<Result<SQLiteResolutionCache, CacheError>?>(nil)

  init(path: String) { self.path = path }

  private func opened() throws(CacheError) -> SQLiteResolutionCache {
    let result = state.withLock { state -> Result<SQLiteResolutionCache, CacheError> in
      if let state { return state }
      let opened = Result { () throws(CacheError) in try SQLiteResolutionCache(path: path) }
      state = opened
      return opened
    }
    return try result.get()
  }

  func lookup(_ key: String) throws(CacheError) -> CachedResolution? { try opened().lookup(key) }
  func store(_ entry: CachedResolution, for key: String) throws(CacheError) { try opened().store(entry, for: key) }
}

/// Where things are configured for a run that may resolve short links: the resolvers in order,
/// the cache, and the counters the summary reports.
struct RemoteSetup {
  var resolvers: [any ShortLinkResolver] = []
  var cache: ResolutionCacheAccess? = nil
  /// Requests per resolver name, read at the end of the run.
  var requestCounters: [(name: String, transport: CountingTransport)] = []

  /// Builds the run's resolvers and cache from the options and environment.
  /// - Throws: ``UsageError`` for a missing or unreadable token, or `api` chosen without a token.
  static func make(
    options: Options, environment: [String: String], warn: @escaping @Sendable (String) -> Void
  ) throws(UsageError) -> RemoteSetup {
    var setup = RemoteSetup()
    if options.cachePath != nil && options.noCache { throw UsageError("--cache and --no-cache contradict each other") }
    if !options.noCache, let path = options.cachePath ?? defaultCachePath(environment) {
      setup.cache = ResolutionCacheAccess(
        store: LazySQLiteCache(path: path), ttl: .seconds(options.cacheTTL),
        onError: { error in warn("warning: the cache is off for this run: \(error.message)") })
    }
    guard !options.offline else { return setup }

    let token = try self.token(options: options, environment: environment)
    let order = options.resolvers ?? (token == nil ? ["redirect"] : ["api", "redirect"])
    let timeout = Duration.milliseconds(Int64(options.timeout * 1_000))
    let concurrency = options.concurrency
    for name in order {
      switch name {
      case "api":
        guard let token else {
          throw UsageError("the api resolver needs a token: set JUSTONEAPI_TOKEN, or use --token-file or --token")
        }
        let baseURL =
          options.apiBaseURL ?? environment["JUSTONEAPI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
          ?? (options.region == "cn" ? JustOneAPIConfiguration.Region.cn : .global).baseURL
        let transport = CountingTransport(CurlTransport(maximumConnectionsPerHost: concurrency))
        let configuration = JustOneAPIConfiguration(
          token: Secret(token), baseURL: baseURL, timeout: timeout, retries: options.retries,
          maximumConcurrentRequests: concurrency)
        let client = JustOneAPIClient(configuration: configuration, transport: transport)
        setup.resolvers.append(JustOneAPIResolver(client: client))
        setup.requestCounters.append(("justoneapi", transport))
      default:
        let transport = CountingTransport(CurlTransport(maximumConnectionsPerHost: concurrency))
        let configuration = HTTPRedirectResolver.Configuration(
          timeout: timeout, retry: RetryPolicy(retries: options.retries), maximumConnectionsPerHost: concurrency,
          endpointOverride: try loopbackOverride(environment))
        setup.resolvers.append(HTTPRedirectResolver(configuration: configuration, transport: transport))
        setup.requestCounters.append(("redirect", transport))
      }
    }
    return setup
  }

  /// `--token`, then `--token-file`, then `JUSTONEAPI_TOKEN`; nil when none is set.
  static func token(options: Options, environment: [String: String]) throws(UsageError) -> String? {
    if let token = options.token {
      guard !token.isEmpty else { throw UsageError("--token is empty") }
      return token
    }
    if let file = options.tokenFile {
      guard case .success(let bytes) = FileContents.read(file, limit: 65_536) else {
        throw UsageError("cannot read the token file \(file)")
      }
      let text = String(decoding: bytes, as: UTF8.self)
      let token = text.trimmingCharacters(in: " \t\r\n")
      guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
        throw UsageError("the token file \(file) must hold the token alone")
      }
      return token
    }
    if let token = environment["JUSTONEAPI_TOKEN"], !token.isEmpty { return token }
    return nil
  }

  /// `$XDG_CACHE_HOME/linknormalizer/cache.sqlite`, else `~/.cache/linknormalizer/cache.sqlite`.
  static func defaultCachePath(_ environment: [String: String]) -> String? {
    if let base = environment["XDG_CACHE_HOME"], base.hasPrefix("/") { return base + "/linknormalizer/cache.sqlite" }
    if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.cache/linknormalizer/cache.sqlite" }
    return nil
  }

  /// Test hook: `NORMALIZE_TEST_REDIRECT_ENDPOINTS=host=PORT[,host=PORT…]` sends the redirect
  /// resolver's requests for those declared short-link hosts to plain http on 127.0.0.1:PORT. It
  /// cannot widen what is contacted: hosts are still checked against the platform's declared
  /// short-link hosts first, and the target is always loopback.
  static func loopbackOverride(_ environment: [String: String]) throws(UsageError) -> (
    @Sendable (String) -> RemoteEndpoint?
  )? {
    guard let spec = environment["NORMALIZE_TEST_REDIRECT_ENDPOINTS"], !spec.isEmpty else { return nil }
    var map: [String: Int] = [:]
    for pair in spec.split(separator: ",") {
      let parts = pair.split(separator: "=")
      guard parts.count == 2, let port = Int(parts[1]), (1...65_535).contains(port) else {
        throw UsageError("NORMALIZE_TEST_REDIRECT_ENDPOINTS: expected host=port pairs")
      }
      map[parts[0].lowercased()] = port
    }
    let frozen = map
    return { host in frozen[host].map { RemoteEndpoint(scheme: "http", host: "127.0.0.1", port: $0) } }
  }
}

extension String {
  func trimmingCharacters(in set: String) -> String { String(trimming { set.contains($0) }) }
}
