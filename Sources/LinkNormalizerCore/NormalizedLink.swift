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
///
/// A value type stored in one shared, copy-on-write box: copying or destroying a result costs one
/// reference-count operation however many fields it has, which matters on the batch path (every
/// result is copied several times between a handler and the output). Mutating a copy never
/// affects another.
public struct NormalizedLink: Sendable, Hashable {
  /// The platform's plugin name (e.g. `"xiaohongshu"`).
  public var platform: String {
    get { storage.platform }
    set { mutate { $0.platform = newValue } }
  }
  public var kind: LinkKind {
    get { storage.kind }
    set { mutate { $0.kind = newValue } }
  }
  /// The platform's id for the object, in its canonical spelling.
  public var id: String {
    get { storage.id }
    set { mutate { $0.id = newValue } }
  }
  /// A canonical URL: built only from the id and the kept parameters, so normalizing it again
  /// returns it unchanged.
  public var canonicalURL: String {
    get { storage.canonicalURL }
    set {
      mutate {
        $0.canonicalURL = newValue
        $0.canonicalIsPlain = false
      }
    }
  }
  /// Whether ``canonicalURL`` is known to need no escaping in JSON (it was written by a pattern
  /// handler from JSON-safe template text and percent-encoded values). Not part of equality.
  package var canonicalIsPlain: Bool {
    get { storage.canonicalIsPlain }
    set { mutate { $0.canonicalIsPlain = newValue } }
  }
  /// Further identifiers found in the link (e.g. `user_id` for a note opened from a profile).
  public var identifiers: [Field] {
    get { storage.identifiers }
    set { mutate { $0.identifiers = newValue } }
  }
  /// Access parameters kept from the link, percent-decoded exactly once (e.g. `xsec_token`).
  public var parameters: [Field] {
    get { storage.parameters }
    set { mutate { $0.parameters = newValue } }
  }
  /// The handler that produced this result (the chain fills it in).
  public var handler: String {
    get { storage.handler }
    set { mutate { $0.handler = newValue } }
  }
  /// The pattern parser that produced the id, when it differs from ``handler`` (a resolver
  /// produced the URL and a parser read the id from it).
  public var parser: String? {
    get { storage.parser }
    set { mutate { $0.parser = newValue } }
  }
  /// The URL a resolver produced for a short link, as returned (credentials never appear here).
  public var resolvedURL: String? {
    get { storage.resolvedURL }
    set { mutate { $0.resolvedURL = newValue } }
  }
  /// The resolver that produced ``resolvedURL``.
  public var resolver: String? {
    get { storage.resolver }
    set { mutate { $0.resolver = newValue } }
  }
  /// True when the resolution came from a cache rather than a remote call made in this run.
  public var cached: Bool {
    get { storage.cached }
    set { mutate { $0.cached = newValue } }
  }
  /// A human remark about how the answer was reached (e.g. "id recovered from an unknown path").
  public var remark: String? {
    get { storage.remark }
    set { mutate { $0.remark = newValue } }
  }

  private var storage: Storage

  /// Mutable only while uniquely referenced (see ``mutate(_:)``), so sharing it is safe.
  private final class Storage: @unchecked Sendable {
    var platform: String
    var kind: LinkKind
    var id: String
    var canonicalURL: String
    var identifiers: [Field]
    var parameters: [Field]
    var handler: String
    var parser: String?
    var resolvedURL: String?
    var resolver: String?
    var cached: Bool
    var remark: String?
    var canonicalIsPlain = false

    init(
      platform: String, kind: LinkKind, id: String, canonicalURL: String, identifiers: [Field], parameters: [Field],
      handler: String, parser: String?, resolvedURL: String?, resolver: String?, cached: Bool, remark: String?
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

    func copy() -> Storage {
      let copy = Storage(
        platform: platform, kind: kind, id: id, canonicalURL: canonicalURL, identifiers: identifiers,
        parameters: parameters, handler: handler, parser: parser, resolvedURL: resolvedURL, resolver: resolver,
        cached: cached, remark: remark)
      copy.canonicalIsPlain = canonicalIsPlain
      return copy
    }
  }

  private mutating func mutate(_ change: (Storage) -> Void) {
    if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    change(storage)
  }

  /// Whether any of ``parser``, ``resolvedURL``, ``resolver``, ``cached`` or ``remark`` is set
  /// (one check instead of five for writers).
  package var hasProvenanceDetails: Bool {
    let s = storage
    return s.parser != nil || s.resolvedURL != nil || s.resolver != nil || s.cached || s.remark != nil
  }

  /// Sets every provenance field at once.
  public mutating func setProvenance(
    parser: String?, resolvedURL: String?, resolver: String?, cached: Bool, remark: String?
  ) {
    mutate {
      $0.parser = parser
      $0.resolvedURL = resolvedURL
      $0.resolver = resolver
      $0.cached = cached
      $0.remark = remark
    }
  }

  public init(
    platform: String, kind: LinkKind, id: String, canonicalURL: String,
    identifiers: [Field] = [], parameters: [Field] = [], handler: String = "",
    parser: String? = nil, resolvedURL: String? = nil, resolver: String? = nil,
    cached: Bool = false, remark: String? = nil
  ) {
    storage = Storage(
      platform: platform, kind: kind, id: id, canonicalURL: canonicalURL, identifiers: identifiers,
      parameters: parameters, handler: handler, parser: parser, resolvedURL: resolvedURL, resolver: resolver,
      cached: cached, remark: remark)
  }

  /// A pattern handler's result, with ``canonicalIsPlain`` known.
  init(
    platform: String, kind: LinkKind, id: String, canonicalURL: String, identifiers: [Field], parameters: [Field],
    handler: String, remark: String?, canonicalIsPlain: Bool
  ) {
    storage = Storage(
      platform: platform, kind: kind, id: id, canonicalURL: canonicalURL, identifiers: identifiers,
      parameters: parameters, handler: handler, parser: nil, resolvedURL: nil, resolver: nil, cached: false,
      remark: remark)
    storage.canonicalIsPlain = canonicalIsPlain
  }

  public static func == (a: NormalizedLink, b: NormalizedLink) -> Bool {
    if a.storage === b.storage { return true }
    let x = a.storage
    let y = b.storage
    return x.platform == y.platform && x.kind == y.kind && x.id == y.id && x.canonicalURL == y.canonicalURL
      && x.identifiers == y.identifiers && x.parameters == y.parameters && x.handler == y.handler
      && x.parser == y.parser && x.resolvedURL == y.resolvedURL && x.resolver == y.resolver && x.cached == y.cached
      && x.remark == y.remark
  }

  public func hash(into hasher: inout Hasher) {
    let s = storage
    hasher.combine(s.platform)
    hasher.combine(s.kind)
    hasher.combine(s.id)
    hasher.combine(s.canonicalURL)
    hasher.combine(s.identifiers)
    hasher.combine(s.parameters)
    hasher.combine(s.handler)
    hasher.combine(s.parser)
    hasher.combine(s.resolvedURL)
    hasher.combine(s.resolver)
    hasher.combine(s.cached)
    hasher.combine(s.remark)
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
///
/// Stored in one immutable shared box (a setter replaces the box), so that copying and destroying
/// a record costs one reference-count operation.
public struct NormalizationRecord: Sendable {
  private final class Storage: Sendable {
    let input: String
    let foundLink: ParsedLink?
    let link: NormalizedLink?
    let error: NormalizationError?
    let attempts: [Attempt]
    init(
      input: String, foundLink: ParsedLink?, link: NormalizedLink?, error: NormalizationError?, attempts: [Attempt]
    ) {
      self.input = input
      self.foundLink = foundLink
      self.link = link
      self.error = error
      self.attempts = attempts
    }
  }
  private var storage: Storage

  /// The input as given.
  public var input: String {
    get { storage.input }
    set { storage = Storage(input: newValue, foundLink: foundLink, link: link, error: error, attempts: attempts) }
  }
  /// The link found in the input (nil when none was found).
  public var foundLink: ParsedLink? {
    get { storage.foundLink }
    set { storage = Storage(input: input, foundLink: newValue, link: link, error: error, attempts: attempts) }
  }
  /// The text of the link found in the input (nil when none was found).
  public var url: String? { foundLink?.text }
  /// The identity, or the error that decided this input.
  public var result: Result<NormalizedLink, NormalizationError> {
    get {
      if let link { return .success(link) }
      return .failure(error ?? NormalizationError(.unsupported, "not recognized"))
    }
    set {
      storage = NormalizationRecord.storage(input: input, foundLink: foundLink, result: newValue, attempts: attempts)
    }
  }
  /// Every handler the chain tried, in order, including intermediate tries.
  public var attempts: [Attempt] {
    get { storage.attempts }
    set { storage = Storage(input: input, foundLink: foundLink, link: link, error: error, attempts: newValue) }
  }
  /// The identity, when the input was normalized (then ``error`` is nil).
  public var link: NormalizedLink? { storage.link }
  /// The error that decided this input, when it was not normalized (then ``link`` is nil).
  public var error: NormalizationError? { storage.error }

  public init(
    input: String, foundLink: ParsedLink?, result: Result<NormalizedLink, NormalizationError>, attempts: [Attempt]
  ) {
    storage = NormalizationRecord.storage(input: input, foundLink: foundLink, result: result, attempts: attempts)
  }

  /// A successful record.
  init(input: String, foundLink: ParsedLink?, link: NormalizedLink, attempts: [Attempt]) {
    storage = Storage(input: input, foundLink: foundLink, link: link, error: nil, attempts: attempts)
  }

  private static func storage(
    input: String, foundLink: ParsedLink?, result: Result<NormalizedLink, NormalizationError>, attempts: [Attempt]
  ) -> Storage {
    switch result {
    case .success(let link):
      return Storage(input: input, foundLink: foundLink, link: link, error: nil, attempts: attempts)
    case .failure(let error):
      return Storage(input: input, foundLink: foundLink, link: nil, error: error, attempts: attempts)
    }
  }
}
