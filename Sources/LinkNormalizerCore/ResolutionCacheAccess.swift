import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A run's use of a ``ResolutionCache``: expiry, counting, and failure containment, shared by
/// every short-link handler of the run.
///
/// - Entries older than ``ttl`` (resolved) or ``notFoundTTL`` (`not_found`) are misses; a later
///   store replaces them.
/// - The first ``CacheError`` switches the cache off for the rest of the run and is passed to
///   `onError` exactly once (the CLI prints one warning); lookups then miss and stores are
///   dropped, so a broken cache never loses or fails a result.
///
/// Thread-safe.
public final class ResolutionCacheAccess: Sendable {
  /// Counters for the run summary.
  public struct Statistics: Sendable, Hashable {
    public var hits = 0
    public var misses = 0
    public var expired = 0
    public var stores = 0
    public var disabled = false
  }

  public let store: any ResolutionCache
  /// How long a resolved entry is used, in seconds.
  public let ttl: Int64
  /// How long a `not_found` entry is used, in seconds.
  public let notFoundTTL: Int64
  private let now: @Sendable () -> Int64
  private let onError: @Sendable (CacheError) -> Void
  private let state = Mutex(Statistics())

  /// - Parameters:
  ///   - ttl: lifetime of resolved entries (default 30 days).
  ///   - notFoundTTL: lifetime of `not_found` entries (default 1 hour, never longer than `ttl`).
  ///   - now: seconds since 1970 (injectable for tests).
  ///   - onError: called once, with the first cache failure.
  public init(
    store: any ResolutionCache, ttl: Duration = .seconds(30 * 86_400), notFoundTTL: Duration = .seconds(3_600),
    now: @escaping @Sendable () -> Int64 = ResolutionCacheAccess.secondsSince1970,
    onError: @escaping @Sendable (CacheError) -> Void = { _ in }
  ) {
    self.store = store
    self.ttl = max(0, ttl.components.seconds)
    self.notFoundTTL = min(max(0, notFoundTTL.components.seconds), self.ttl)
    self.now = now
    self.onError = onError
  }

  public var statistics: Statistics { state.withLock { $0 } }

  /// The wall clock, in whole seconds since 1970-01-01 UTC.
  @Sendable public static func secondsSince1970() -> Int64 { Int64(time(nil)) }

  /// The live entry for `key`, or nil (miss, expired, or cache switched off).
  public func lookup(_ key: String) -> CachedResolution? {
    guard !state.withLock({ $0.disabled }) else { return nil }
    let entry: CachedResolution?
    do {
      entry = try store.lookup(key)
    } catch {
      fail(error)
      return nil
    }
    guard let entry else {
      state.withLock { $0.misses += 1 }
      return nil
    }
    let lifetime = entry.outcome == .resolved ? ttl : notFoundTTL
    if now() - entry.storedAt >= lifetime {
      state.withLock {
        $0.misses += 1
        $0.expired += 1
      }
      return nil
    }
    state.withLock { $0.hits += 1 }
    return entry
  }

  /// Remembers a resolution (errors are never remembered: callers pass only successes and
  /// `not_found`).
  public func remember(_ outcome: CachedResolution.Outcome, url: String?, resolver: String, key: String) {
    guard !state.withLock({ $0.disabled }) else { return }
    do {
      try store.store(CachedResolution(outcome: outcome, url: url, resolver: resolver, storedAt: now()), for: key)
      state.withLock { $0.stores += 1 }
    } catch {
      fail(error)
    }
  }

  private func fail(_ error: CacheError) {
    let first = state.withLock { statistics -> Bool in
      defer { statistics.disabled = true }
      return !statistics.disabled
    }
    if first { onError(error) }
  }
}

/// The chain handler that answers a platform's short links from the cache, before any resolver
/// runs: a hit on a resolved entry is read with the platform's strict parsers like a fresh answer
/// (the result names the resolver that originally answered and says `cached`); a hit on a
/// `not_found` entry is a final failure, so no resolver is paid to learn it again; a miss declines.
public struct CachedShortLinkNormalizer: LinkNormalizer {
  public let spec: ShortLinkSpec
  public let cache: ResolutionCacheAccess
  public let parsers: [any LinkNormalizer]
  public let name: String

  public init(spec: ShortLinkSpec, cache: ResolutionCacheAccess, parsers: [any LinkNormalizer]) {
    self.spec = spec
    self.cache = cache
    self.parsers = parsers
    self.name = "\(spec.platform).cache"
  }

  public var hosts: Set<String> { spec.hosts }
  public func accepts(_ link: ParsedLink) -> Bool { spec.matches(link) }

  public func normalize(_ link: ParsedLink, context: inout NormalizationContext) async throws(NormalizationError)
    -> NormalizerOutcome
  {
    try answer(link)
  }

  /// Cache lookups never suspend. (A chain that stops after this handler goes on from where it
  /// stopped, so the key is looked up once per input.)
  public func normalizeSynchronously(_ link: ParsedLink) throws(NormalizationError) -> NormalizerOutcome? {
    try answer(link)
  }

  private func answer(_ link: ParsedLink) throws(NormalizationError) -> NormalizerOutcome {
    guard let entry = cache.lookup(spec.cacheKey(for: link)) else {
      return .declined("not in the cache")
    }
    switch entry.outcome {
    case .notFound:
      var error = NormalizationError(
        .notFound, "\(entry.resolver) found no target for this short link (cached answer)",
        details: [Field("cached_from", entry.resolver)])
      error.isFinal = true
      throw error
    case .resolved:
      guard let url = entry.url,
        let result = try ShortLinkNormalizer.read(
          Resolution(url: url, resolver: entry.resolver, cached: true), with: parsers, handler: name)
      else {
        return .declined("the cached URL is not a \(spec.platform) link with an id")
      }
      return .normalized(result)
    }
  }
}
