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
  public var parser: String?
  /// The URL a resolver produced for a short link, as returned (credentials never appear here).
  public var resolvedURL: String?
  /// The resolver that produced ``resolvedURL``.
  public var resolver: String?
  /// True when the resolution came from a cache rather than a remote call made in this run.
  public var cached: Bool
  /// A human remark about how the answer was reached (e.g. "id recovered from an unknown path").
  public var remark: String?

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
    self.parser = parser
    self.resolvedURL = resolvedURL
    self.resolver = resolver
    self.cached = cached
    self.remark = remark
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
