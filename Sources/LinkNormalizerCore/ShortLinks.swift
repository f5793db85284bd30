public import PCRE2

extension ErrorCode {
  /// A resolver's answer could not be used: not JSON, truncated, or a URL that the platform's own
  /// patterns do not turn into an id (a foreign host, a home, login or error page).
  public static let badResponse: ErrorCode = "bad_response"
  /// The short link leads nowhere useful (not a redirect to the platform, or a dead link).
  public static let notFound: ErrorCode = "not_found"
  /// A remote call did not finish within its deadline.
  public static let timeout: ErrorCode = "timeout"
  /// A remote call could not connect or the connection broke.
  public static let network: ErrorCode = "network"
}

/// A platform's short links, as its plugin declares them. The core and the resolvers read it; only
/// the plugin knows its values.
public struct ShortLinkSpec: Sendable {
  /// The platform's plugin name.
  public let platform: String
  /// Exact lower-case short-link hosts. The redirect resolver contacts these hosts and no others.
  public let hosts: Set<String>
  /// The short-link shape, matched against ``ParsedLink/target``.
  public let pattern: PCRE2Pattern
  /// The Just One API share-convert endpoint path for this platform, if it has one
  /// (e.g. `/api/<platform>/share-url-transfer/v1`). Opaque to the core.
  public let shareConvertPath: String?
  /// The User-Agent the redirect resolver sends (responses differ by User-Agent).
  public let userAgent: String?

  public init(
    platform: String, hosts: Set<String>, pattern: PCRE2Pattern, shareConvertPath: String? = nil,
    userAgent: String? = nil
  ) {
    self.platform = platform
    self.hosts = Set(hosts.map { $0.lowercased() })
    self.pattern = pattern
    self.shareConvertPath = shareConvertPath
    self.userAgent = userAgent
  }

  /// The key under which a short link's resolution is shared and cached:
  /// `<platform>:` then the link's ``ParsedLink/identityKey`` (so `http://` and `https://` forms
  /// of one link share an entry).
  public func cacheKey(for link: ParsedLink) -> String {
    platform + ":" + link.identityKey
  }

  /// Whether `link` has this platform's short-link shape.
  public func matches(_ link: ParsedLink) -> Bool {
    guard hosts.contains(link.host) else { return false }
    var target = link.target
    return target.withUTF8 { (try? pattern.match($0, into: nil)) == true }
  }
}

/// What a resolver found for a short link.
public struct Resolution: Sendable, Hashable {
  /// The full URL the short link stands for. Must never contain credentials.
  public var url: String
  /// True when the answer came from a cache rather than a remote call.
  public var cached: Bool
  /// The resolver that originally produced the answer (differs from the current one for cache hits).
  public var resolver: String

  public init(url: String, resolver: String, cached: Bool = false) {
    self.url = url
    self.resolver = resolver
    self.cached = cached
  }
}

/// Turns a short link into the full URL it stands for (remotely, or from a cache).
///
/// Implementations must be `Sendable` and safe to call concurrently. They throw
/// ``NormalizationError`` with stable codes (`timeout`, `network`, `not_found`, `bad_response` and
/// their own), never with a credential in the message, and record intermediate tries (retries)
/// with ``NormalizationContext/recordTry(_:)``.
public protocol ShortLinkResolver: Sendable {
  /// A short stable name (`"justoneapi"`, `"redirect"`); handler names are `<platform>.<name>`.
  var name: String { get }
  /// Whether the resolver makes remote calls (a local lookup would not; default true).
  var requiresNetwork: Bool { get }
  /// The error code used when the URL a resolver returned is not a link of the platform with an id.
  var unusableResultCode: ErrorCode { get }
  /// Whether this resolver can serve `spec`'s platform at all (e.g. it has an endpoint for it).
  func supports(_ spec: ShortLinkSpec) -> Bool
  /// Resolves `link` (which matches `spec`).
  func resolve(_ link: ParsedLink, spec: ShortLinkSpec, context: inout NormalizationContext)
    async throws(NormalizationError)
    -> ResolverOutcome
}

extension ShortLinkResolver {
  public var requiresNetwork: Bool { true }
  public var unusableResultCode: ErrorCode { .badResponse }
  public func supports(_ spec: ShortLinkSpec) -> Bool { true }
}

/// How a resolver ended when it did not throw: a resolution, a decline (the chain tries the next
/// handler), or a skip (it chose not to run; the error says why).
public enum ResolverOutcome: Sendable {
  case resolved(Resolution)
  case declined(String)
  case skipped(NormalizationError)
}

/// The chain handler for one platform's short links through one resolver: resolves the link, then
/// reads the id from the resolved URL with the platform's own strict parsers. A resolved URL those
/// parsers do not turn into an id is an error (``ShortLinkResolver/unusableResultCode``), never a
/// success. With a cache, a usable answer is remembered, and so is a `not_found` one (briefly);
/// errors never are.
public struct ShortLinkNormalizer: LinkNormalizer {
  public let spec: ShortLinkSpec
  public let resolver: any ShortLinkResolver
  /// The platform's strict full-URL parsers, tried in order on the resolved URL.
  public let parsers: [any LinkNormalizer]
  public let cache: ResolutionCacheAccess?
  public let name: String

  public init(
    spec: ShortLinkSpec, resolver: any ShortLinkResolver, parsers: [any LinkNormalizer],
    cache: ResolutionCacheAccess? = nil
  ) {
    self.spec = spec
    self.resolver = resolver
    self.parsers = parsers
    self.cache = cache
    self.name = "\(spec.platform).\(resolver.name)"
  }

  public var hosts: Set<String> { spec.hosts }
  public var requiresNetwork: Bool { resolver.requiresNetwork }
  public func accepts(_ link: ParsedLink) -> Bool { spec.matches(link) }

  public func normalize(_ link: ParsedLink, context: inout NormalizationContext) async throws(NormalizationError)
    -> NormalizerOutcome
  {
    let resolution: Resolution
    do throws(NormalizationError) {
      switch try await resolver.resolve(link, spec: spec, context: &context) {
      case .resolved(let value): resolution = value
      case .declined(let reason): return .declined(reason)
      case .skipped(let error): return .skipped(error)
      }
    } catch {
      if error.code == .notFound { remember(.notFound, url: nil, link: link) }
      throw error
    }
    if let result = try ShortLinkNormalizer.read(resolution, with: parsers, handler: name) {
      remember(.resolved, url: resolution.url, link: link)
      return .normalized(result)
    }
    let shown = String(resolution.url.prefix(300))
    if resolver.unusableResultCode == .notFound { remember(.notFound, url: nil, link: link) }
    throw NormalizationError(
      resolver.unusableResultCode,
      "\(resolver.name) returned a URL that is not a \(spec.platform) link with an id: \(shown)",
      details: [Field("resolved_url", shown)])
  }

  private func remember(_ outcome: CachedResolution.Outcome, url: String?, link: ParsedLink) {
    cache?.remember(outcome, url: url, resolver: resolver.name, key: spec.cacheKey(for: link))
  }

  /// Reads a resolution with the platform's parsers (synchronously: parsers are local): the first
  /// that normalizes it wins. Nil when none does (not an http(s) URL, a foreign host, a page
  /// without an id, or a parser that only answers asynchronously).
  static func read(_ resolution: Resolution, with parsers: [any LinkNormalizer], handler: String)
    throws(NormalizationError) -> NormalizedLink?
  {
    guard let resolved = ParsedLink(resolution.url), resolved.scheme != nil else { return nil }
    for parser in parsers where parser.accepts(resolved) {
      if case .normalized(var result)? = try parser.normalizeSynchronously(resolved) {
        result.handler = handler
        result.setProvenance(
          parser: parser.name, resolvedURL: resolution.url, resolver: resolution.resolver, cached: resolution.cached,
          remark: resolution.cached ? "cached answer from \(resolution.resolver)" : result.remark)
        return result
      }
    }
    return nil
  }
}

/// Recognizes a platform's short links when no resolver can run for them, so they fail with
/// `needs_network` (as a skip: any resolver failure before it decides the error instead).
public struct ShortLinkRecognizer: LinkNormalizer {
  public let spec: ShortLinkSpec
  public let name: String
  public var hosts: Set<String> { spec.hosts }

  public init(spec: ShortLinkSpec) {
    self.spec = spec
    self.name = "\(spec.platform).short-link"
  }

  public func accepts(_ link: ParsedLink) -> Bool { spec.matches(link) }

  public func normalize(_ link: ParsedLink, context: inout NormalizationContext) async throws(NormalizationError)
    -> NormalizerOutcome
  {
    outcome(link)
  }

  public func normalizeSynchronously(_ link: ParsedLink) throws(NormalizationError) -> NormalizerOutcome? {
    outcome(link)
  }

  private func outcome(_ link: ParsedLink) -> NormalizerOutcome {
    .skipped(
      NormalizationError(
        .needsNetwork,
        "\(spec.platform) short link: resolving it needs the network (offline, or no resolver answered)"))
  }
}
