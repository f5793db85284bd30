/// A remembered short-link resolution.
public struct CachedResolution: Sendable, Hashable {
  public enum Outcome: String, Sendable, Hashable {
    /// The short link resolved to ``CachedResolution/url``.
    case resolved
    /// The short link led nowhere useful (`not_found`); cached briefly so a dead link is not paid
    /// for again and again within a short time.
    case notFound = "not_found"
  }
  public var outcome: Outcome
  /// The resolved URL (for `resolved`); never contains credentials.
  public var url: String?
  /// The resolver that originally answered (e.g. `justoneapi`).
  public var resolver: String
  /// When the answer was obtained, in seconds since 1970-01-01 UTC.
  public var storedAt: Int64

  public init(outcome: Outcome, url: String?, resolver: String, storedAt: Int64) {
    self.outcome = outcome
    self.url = url
    self.resolver = resolver
    self.storedAt = storedAt
  }
}

/// A cache problem: the file is corrupt, unreadable, read-only, or locked for too long.
public struct CacheError: Error, Sendable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Where short-link resolutions are remembered across inputs and runs.
///
/// Keys are canonical short-link keys (see ``ShortLinkSpec/cacheKey(for:)``). Implementations must
/// be safe to call from many threads at once; calls are synchronous and expected to take
/// microseconds (an embedded database or memory). Only successes and `not_found` answers are ever
/// stored; errors never are.
///
/// A store that throws is switched off for the rest of the run by the caller (one warning), so a
/// broken cache never loses a result.
public protocol ResolutionCache: Sendable {
  /// The entry for `key`, or nil when there is none. Expiry is the caller's decision.
  func lookup(_ key: String) throws(CacheError) -> CachedResolution?
  /// Stores or replaces the entry for `key`.
  func store(_ entry: CachedResolution, for key: String) throws(CacheError)
}
