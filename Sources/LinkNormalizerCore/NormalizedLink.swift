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
/// A value type stored in one shared, immutable box: copying or destroying a result costs one
/// reference-count operation however many fields it has, which matters on the batch path (every
/// result is copied between a handler and the output); the package's writers read fields and
/// packed bytes in place. A setter replaces the box (copying the other fields' references);
/// mutating a copy never affects another. Safe to share across threads.
///
/// A pattern handler's result keeps ``id``, ``canonicalURL`` and ``parameters`` as UTF-8 bytes in
/// one allocation: reading one of those properties makes a new string (or array) each time, so
/// read it once when it is used in a loop.
public struct NormalizedLink: Sendable, Hashable {
  /// The platform's plugin name (e.g. `"xiaohongshu"`).
  @inlinable public var platform: String {
    get { storage.read { $0.fields.platform } }
    set { mutate { $0.platform = newValue } }
  }
  @inlinable public var kind: LinkKind {
    get { storage.read { $0.fields.kind } }
    set { mutate { $0.kind = newValue } }
  }
  /// The platform's id for the object, in its canonical spelling.
  @inlinable public var id: String {
    get {
      storage.read { $0.packed == nil ? $0.fields.id : storage.string(\.id) }
    }
    set { mutate { $0.id = newValue } }
  }
  /// A canonical URL: built only from the id and the kept parameters, so normalizing it again
  /// returns it unchanged.
  @inlinable public var canonicalURL: String {
    get {
      storage.read { $0.packed == nil ? $0.fields.canonicalURL : storage.string(\.canonicalURL) }
    }
    set {
      mutate {
        $0.canonicalURL = newValue
        $0.canonicalIsPlain = false
      }
    }
  }
  /// Whether ``canonicalURL`` is known to need no escaping in JSON (it was written by a pattern
  /// handler from JSON-safe template text and percent-encoded values). Not part of equality.
  @inlinable package var canonicalIsPlain: Bool {
    get { storage.read { $0.fields.canonicalIsPlain } }
    set { mutate { $0.canonicalIsPlain = newValue } }
  }
  /// Further identifiers found in the link (e.g. `user_id` for a note opened from a profile).
  @inlinable public var identifiers: [Field] {
    get { storage.read { $0.fields.identifiers } }
    set { mutate { $0.identifiers = newValue } }
  }
  /// Access parameters kept from the link, percent-decoded exactly once (e.g. `xsec_token`).
  @inlinable public var parameters: [Field] {
    get {
      storage.read { $0.packed == nil ? $0.fields.parameters : storage.packedParameters }
    }
    set { mutate { $0.parameters = newValue } }
  }
  /// The handler that produced this result (the chain fills it in).
  @inlinable public var handler: String {
    get { storage.read { $0.fields.handler } }
    set { mutate { $0.handler = newValue } }
  }
  /// The pattern parser that produced the id, when it differs from ``handler`` (a resolver
  /// produced the URL and a parser read the id from it).
  @inlinable public var parser: String? {
    get { storage.read { $0.fields.parser } }
    set { mutate { $0.parser = newValue } }
  }
  /// The URL a resolver produced for a short link, as returned (credentials never appear here).
  @inlinable public var resolvedURL: String? {
    get { storage.read { $0.fields.resolvedURL } }
    set { mutate { $0.resolvedURL = newValue } }
  }
  /// The resolver that produced ``resolvedURL``.
  @inlinable public var resolver: String? {
    get { storage.read { $0.fields.resolver } }
    set { mutate { $0.resolver = newValue } }
  }
  /// True when the resolution came from a cache rather than a remote call made in this run.
  @inlinable public var cached: Bool {
    get { storage.read { $0.fields.cached } }
    set { mutate { $0.cached = newValue } }
  }
  /// A human remark about how the answer was reached (e.g. "id recovered from an unknown path").
  @inlinable public var remark: String? {
    get { storage.read { $0.fields.remark } }
    set { mutate { $0.remark = newValue } }
  }

  /// `nonisolated(unsafe)` only because `Storage` is a `ManagedBuffer`, which cannot be declared
  /// `Sendable`: it is never mutated after it is made (a setter makes a new one).
  @usableFromInline nonisolated(unsafe) var storage: Storage

  @usableFromInline struct Fields: Sendable {
    @usableFromInline var platform: String
    @usableFromInline var kind: LinkKind
    @usableFromInline var id: String
    @usableFromInline var canonicalURL: String
    @usableFromInline var identifiers: [Field]
    @usableFromInline var parameters: [Field]
    @usableFromInline var handler: String
    @usableFromInline var parser: String? = nil
    @usableFromInline var resolvedURL: String? = nil
    @usableFromInline var resolver: String? = nil
    @usableFromInline var cached = false
    @usableFromInline var remark: String?
    @usableFromInline var canonicalIsPlain = false
  }

  /// The box: the fields, then (for a pattern handler's result) the packed UTF-8 bytes of the id,
  /// the parameters and the canonical URL, in the same allocation.
  ///
  /// Never mutated after it is made: a setter builds a new box. Fields are read through
  /// ``read(_:)``, which borrows them in place (no exclusivity check, no copy of the whole header).
  @usableFromInline final class Storage: ManagedBuffer<Storage.Header, UInt8> {
    @usableFromInline struct Header {
      @usableFromInline var fields: Fields
      /// When set, the id, the canonical URL and the parameters are the bytes after the header
      /// and the corresponding members of ``fields`` are empty.
      @usableFromInline var packed: PackedLayout?
    }

    @usableFromInline static func make(_ fields: Fields) -> Storage {
      unsafeDowncast(Storage.create(minimumCapacity: 0) { _ in Header(fields: fields, packed: nil) }, to: Storage.self)
    }

    /// A box whose packed bytes `fill` writes (at most `capacity` of them) and lays out.
    static func make(
      _ fields: Fields, capacity: Int, fill: (UnsafeMutableBufferPointer<UInt8>) -> PackedLayout
    ) -> Storage {
      let buffer = Storage.create(minimumCapacity: capacity) { buffer in
        let layout = buffer.withUnsafeMutablePointerToElements {
          fill(UnsafeMutableBufferPointer(start: $0, count: capacity))
        }
        return Header(fields: fields, packed: layout)
      }
      return unsafeDowncast(buffer, to: Storage.self)
    }

    @inlinable func read<T>(_ body: (borrowing Header) throws -> T) rethrows -> T {
      try withUnsafeMutablePointerToHeader { try body($0.pointee) }
    }

    /// Lends the packed bytes of the range `part` picks (the box must be packed).
    @inlinable func withPackedBytes<R>(
      _ part: (PackedLayout) -> Range<Int32>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
      try withUnsafeMutablePointers { header, start in
        let range = part(header.pointee.packed.unsafelyUnwrapped)
        return try body(UnsafeBufferPointer(start: start + Int(range.lowerBound), count: range.count))
      }
    }

    @usableFromInline func string(_ part: (PackedLayout) -> Range<Int32>) -> String {
      withPackedBytes(part) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with each packed parameter's name and value bytes, in order.
    @inlinable func forEachPackedParameter(
      _ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) throws -> Void
    ) rethrows {
      try withUnsafeMutablePointers { header, start in
        try PackedLayout.forEachParameter(
          at: start, count: Int(header.pointee.packed.unsafelyUnwrapped.parameterCount), body)
      }
    }

    @usableFromInline var packedParameters: [Field] {
      var fields: [Field] = []
      forEachPackedParameter { name, value in
        fields.append(Field(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
      }
      return fields
    }

    /// The fields with the packed members filled in.
    @usableFromInline var unpacked: Fields {
      var fields = read { $0.fields }
      if read({ $0.packed != nil }) {
        fields.id = string(\.id)
        fields.canonicalURL = string(\.canonicalURL)
        fields.parameters = packedParameters
      }
      return fields
    }
  }

  @usableFromInline mutating func mutate(_ change: (inout Fields) -> Void) {
    var fields = storage.unpacked
    change(&fields)
    storage = Storage.make(fields)
  }

  /// Lends the UTF-8 bytes of ``id`` without making a string.
  @inlinable package func withIDBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    if storage.read({ $0.packed != nil }) { return try storage.withPackedBytes(\.id, body) }
    return try storage.read { try withUTF8Bytes(of: $0.fields.id, body) }
  }

  /// Lends the UTF-8 bytes of ``canonicalURL`` without making a string.
  @inlinable package func withCanonicalURLBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    if storage.read({ $0.packed != nil }) { return try storage.withPackedBytes(\.canonicalURL, body) }
    return try storage.read { try withUTF8Bytes(of: $0.fields.canonicalURL, body) }
  }

  /// Calls `body` with the UTF-8 bytes of each of ``parameters``' names and values, in order,
  /// without making strings.
  @inlinable package func forEachParameter(
    _ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) throws -> Void
  ) rethrows {
    if storage.read({ $0.packed != nil }) { return try storage.forEachPackedParameter(body) }
    try storage.read { header in
      for field in header.fields.parameters {
        try withUTF8Bytes(of: field.name) { name in try withUTF8Bytes(of: field.value) { try body(name, $0) } }
      }
    }
  }

  /// Whether any of ``parser``, ``resolvedURL``, ``resolver``, ``cached`` or ``remark`` is set
  /// (one check instead of five for writers).
  @inlinable package var hasProvenanceDetails: Bool {
    storage.read {
      $0.fields.parser != nil || $0.fields.resolvedURL != nil || $0.fields.resolver != nil || $0.fields.cached
        || $0.fields.remark != nil
    }
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
    storage = Storage.make(
      Fields(
        platform: platform, kind: kind, id: id, canonicalURL: canonicalURL, identifiers: identifiers,
        parameters: parameters, handler: handler, parser: parser, resolvedURL: resolvedURL, resolver: resolver,
        cached: cached, remark: remark))
  }

  /// A pattern handler's result: the id, the parameters and the canonical URL are packed after
  /// the fields in the same allocation by `fill` (at most `capacity` bytes), and
  /// ``canonicalIsPlain`` is known.
  init(
    platform: String, kind: LinkKind, identifiers: [Field], handler: String, remark: String?,
    canonicalIsPlain: Bool, capacity: Int, fill: (UnsafeMutableBufferPointer<UInt8>) -> PackedLayout
  ) {
    storage = Storage.make(
      Fields(
        platform: platform, kind: kind, id: "", canonicalURL: "", identifiers: identifiers, parameters: [],
        handler: handler, remark: remark, canonicalIsPlain: canonicalIsPlain),
      capacity: capacity, fill: fill)
  }

  public static func == (a: NormalizedLink, b: NormalizedLink) -> Bool {
    if a.storage === b.storage { return true }
    let x = a.storage.unpacked
    let y = b.storage.unpacked
    return x.platform == y.platform && x.kind == y.kind && x.id == y.id && x.canonicalURL == y.canonicalURL
      && x.identifiers == y.identifiers && x.parameters == y.parameters && x.handler == y.handler
      && x.parser == y.parser && x.resolvedURL == y.resolvedURL && x.resolver == y.resolver && x.cached == y.cached
      && x.remark == y.remark
  }

  public func hash(into hasher: inout Hasher) {
    let s = storage.unpacked
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
/// a record costs one reference-count operation and reading a field borrows it. Safe to share
/// across threads.
public struct NormalizationRecord: Sendable {
  @usableFromInline final class Storage: Sendable {
    @usableFromInline let input: String
    @usableFromInline let foundLink: ParsedLink?
    @usableFromInline let link: NormalizedLink?
    @usableFromInline let error: NormalizationError?
    /// The attempt when there was exactly one (the common case: no array to allocate), else nil
    /// and ``attemptArray`` holds them all.
    @usableFromInline let onlyAttempt: Attempt?
    @usableFromInline let attemptArray: [Attempt]
    @usableFromInline init(
      input: String, foundLink: ParsedLink?, link: NormalizedLink?, error: NormalizationError?, attempts: [Attempt]
    ) {
      self.input = input
      self.foundLink = foundLink
      self.link = link
      self.error = error
      if attempts.count == 1 {
        self.onlyAttempt = attempts[0]
        self.attemptArray = []
      } else {
        self.onlyAttempt = nil
        self.attemptArray = attempts
      }
    }
    init(input: String, foundLink: ParsedLink?, link: NormalizedLink, attempt: Attempt) {
      self.input = input
      self.foundLink = foundLink
      self.link = link
      self.error = nil
      self.onlyAttempt = attempt
      self.attemptArray = []
    }
    @usableFromInline var attempts: [Attempt] {
      if let onlyAttempt { return [onlyAttempt] }
      return attemptArray
    }
  }
  @usableFromInline var storage: Storage

  /// The input as given.
  @inlinable public var input: String {
    get { storage.input }
    set { storage = Storage(input: newValue, foundLink: foundLink, link: link, error: error, attempts: attempts) }
  }
  /// The link found in the input (nil when none was found).
  @inlinable public var foundLink: ParsedLink? {
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
  /// Every handler the chain tried, in order, including intermediate tries. (A record with one
  /// attempt stores it without an array; this builds one. Writers use ``withAttempts(_:)``.)
  @inlinable public var attempts: [Attempt] {
    get { storage.attempts }
    set { storage = Storage(input: input, foundLink: foundLink, link: link, error: error, attempts: newValue) }
  }
  /// Lends ``attempts`` in place, in order, without building an array.
  @inlinable package func withAttempts<R>(_ body: (UnsafeBufferPointer<Attempt>) throws -> R) rethrows -> R {
    if let only = storage.onlyAttempt {
      return try withUnsafePointer(to: only) { try body(UnsafeBufferPointer(start: $0, count: 1)) }
    }
    return try storage.attemptArray.withUnsafeBufferPointer(body)
  }
  /// The identity, when the input was normalized (then ``error`` is nil).
  @inlinable public var link: NormalizedLink? { storage.link }
  /// The error that decided this input, when it was not normalized (then ``link`` is nil).
  @inlinable public var error: NormalizationError? { storage.error }

  public init(
    input: String, foundLink: ParsedLink?, result: Result<NormalizedLink, NormalizationError>, attempts: [Attempt]
  ) {
    storage = NormalizationRecord.storage(input: input, foundLink: foundLink, result: result, attempts: attempts)
  }

  /// A successful record after one attempt.
  init(input: String, foundLink: ParsedLink?, link: NormalizedLink, attempt: Attempt) {
    storage = Storage(input: input, foundLink: foundLink, link: link, attempt: attempt)
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
