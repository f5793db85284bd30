/// What a link points at (`note`, `user`, `video`, …). Open: plugins define their own.
public struct LinkKind: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { self.rawValue = value }
  public var description: String { rawValue }

  public static let note: LinkKind = "note"
  public static let user: LinkKind = "user"
  public static let video: LinkKind = "video"
}

/// The stable identity of one link.
public struct NormalizedLink: Sendable, Hashable {
  /// The platform's plugin name (e.g. `"xiaohongshu"`).
  public var platform: String
  public var kind: LinkKind
  /// The platform's id for the object, in its canonical spelling.
  public var id: String
  /// A canonical URL: built only from the id and the kept parameters, so normalizing it again
  /// returns it unchanged.
  public var canonicalURL: String
  /// Further identifiers found in the link (e.g. `user_id` for a note opened from a profile).
  public var identifiers: [Field]
  /// Access parameters kept from the link, percent-decoded exactly once (e.g. `xsec_token`).
  public var parameters: [Field]
  /// The handler that produced this result (the chain fills it in).
  public var handler: String
  /// The pattern parser that produced the id, when it differs from ``handler`` (a resolver
  /// produced the URL and a parser read the id from it).
  public var parser: String? {
    get { details?.parser }
    set { updateDetails { $0.parser = newValue } }
  }
  /// The URL a resolver produced for a short link, as returned (credentials never appear here).
  public var resolvedURL: String? {
    get { details?.resolvedURL }
    set { updateDetails { $0.resolvedURL = newValue } }
  }
  /// The resolver that produced ``resolvedURL``.
  public var resolver: String? {
    get { details?.resolver }
    set { updateDetails { $0.resolver = newValue } }
  }
  /// True when the resolution came from a cache rather than a remote call made in this run.
  public var cached: Bool {
    get { details?.cached ?? false }
    set { updateDetails { $0.cached = newValue } }
  }
  /// A human remark about how the answer was reached (e.g. "id recovered from an unknown path").
  public var remark: String? {
    get { details?.remark }
    set { updateDetails { $0.remark = newValue } }
  }

  /// The provenance fields most results do not have, kept out of line so that the common result
  /// (a local parse) stays small to copy. Value semantics are preserved by copy-on-write.
  private var details: Details?

  private final class Details: Sendable, Hashable {
    let parser: String?
    let resolvedURL: String?
    let resolver: String?
    let cached: Bool
    let remark: String?

    init(parser: String?, resolvedURL: String?, resolver: String?, cached: Bool, remark: String?) {
      self.parser = parser
      self.resolvedURL = resolvedURL
      self.resolver = resolver
      self.cached = cached
      self.remark = remark
    }

    static func == (a: Details, b: Details) -> Bool {
      a.parser == b.parser && a.resolvedURL == b.resolvedURL && a.resolver == b.resolver && a.cached == b.cached
        && a.remark == b.remark
    }

    func hash(into hasher: inout Hasher) {
      hasher.combine(parser)
      hasher.combine(resolvedURL)
      hasher.combine(resolver)
      hasher.combine(cached)
      hasher.combine(remark)
    }

    var isEmpty: Bool { parser == nil && resolvedURL == nil && resolver == nil && !cached && remark == nil }
  }

  private struct MutableDetails {
    var parser: String?
    var resolvedURL: String?
    var resolver: String?
    var cached: Bool
    var remark: String?
  }

  /// Sets every provenance field at once (one update instead of one per property).
  public mutating func setProvenance(
    parser: String?, resolvedURL: String?, resolver: String?, cached: Bool, remark: String?
  ) {
    let updated = Details(parser: parser, resolvedURL: resolvedURL, resolver: resolver, cached: cached, remark: remark)
    details = updated.isEmpty ? nil : updated
  }

  private mutating func updateDetails(_ change: (inout MutableDetails) -> Void) {
    var fields = MutableDetails(
      parser: details?.parser, resolvedURL: details?.resolvedURL, resolver: details?.resolver,
      cached: details?.cached ?? false, remark: details?.remark)
    change(&fields)
    let updated = Details(
      parser: fields.parser, resolvedURL: fields.resolvedURL, resolver: fields.resolver, cached: fields.cached,
      remark: fields.remark)
    details = updated.isEmpty ? nil : updated
  }

  public init(
    platform: String, kind: LinkKind, id: String, canonicalURL: String,
    identifiers: [Field] = [], parameters: [Field] = [], handler: String = "",
    parser: String? = nil, resolvedURL: String? = nil, resolver: String? = nil,
    cached: Bool = false, remark: String? = nil
  ) {
    self.platform = platform
    self.kind = kind
    self.id = id
    self.canonicalURL = canonicalURL
    self.identifiers = identifiers
    self.parameters = parameters
    self.handler = handler
    let details = Details(parser: parser, resolvedURL: resolvedURL, resolver: resolver, cached: cached, remark: remark)
    self.details = details.isEmpty ? nil : details
  }
}

/// One step of the fallback chain: which handler, how it ended, how long it took.
public struct Attempt: Sendable, Hashable {
  public enum Outcome: String, Sendable, Hashable {
    case succeeded, declined, failed, skipped
  }
  public var handler: String
  public var outcome: Outcome
  /// The error for `failed` and `skipped` attempts.
  public var error: NormalizationError?
  /// Why a handler declined, or a remark on a success.
  public var note: String?
  /// Wall-clock time spent in the handler.
  public var duration: Duration

  public init(
    handler: String, outcome: Outcome, error: NormalizationError? = nil, note: String? = nil, duration: Duration = .zero
  ) {
    self.handler = handler
    self.outcome = outcome
    self.error = error
    self.note = note
    self.duration = duration
  }

  /// The duration in milliseconds, as shown in output.
  public var milliseconds: Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
  }
}

/// Everything known about one input after normalization: exactly one per input, success or not.
public struct NormalizationRecord: Sendable {
  /// The input as given.
  public var input: String
  /// The link found in the input (nil when none was found).
  public var foundLink: ParsedLink?
  /// The text of the link found in the input (nil when none was found).
  public var url: String? { foundLink?.text }
  /// The identity, or the error that decided this input.
  public var result: Result<NormalizedLink, NormalizationError>
  /// Every handler the chain tried, in order, including intermediate tries.
  public var attempts: [Attempt]

  public init(
    input: String, foundLink: ParsedLink?, result: Result<NormalizedLink, NormalizationError>, attempts: [Attempt]
  ) {
    self.input = input
    self.foundLink = foundLink
    self.result = result
    self.attempts = attempts
  }

  public var link: NormalizedLink? {
    if case .success(let link) = result { return link }
    return nil
  }

  public var error: NormalizationError? {
    if case .failure(let error) = result { return error }
    return nil
  }
}
