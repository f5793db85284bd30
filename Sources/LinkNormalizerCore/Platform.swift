/// Everything one platform contributes, as its plugin declares it. The core installs it into a
/// registry; the plugin never touches the core's code.
public struct Platform: Sendable {
  /// The platform's name as shown in results (`platform` field) and handler names.
  public var name: String
  /// Strict full-URL parsers. Also used to read the id from URLs that resolvers return.
  public var parsers: [any LinkNormalizer]
  /// Lower-confidence handlers for direct input only (never used on resolver answers).
  public var heuristics: [any LinkNormalizer]
  /// The platform's short links, if it has any.
  public var shortLinks: ShortLinkSpec?
  /// Example inputs with expected results, run by the generic example test.
  public var examples: [LinkExample]

  public init(
    name: String, parsers: [any LinkNormalizer], heuristics: [any LinkNormalizer] = [],
    shortLinks: ShortLinkSpec? = nil, examples: [LinkExample] = []
  ) {
    self.name = name
    self.parsers = parsers
    self.heuristics = heuristics
    self.shortLinks = shortLinks
    self.examples = examples
  }
}

/// The priorities ``NormalizerRegistry/install(_:resolvers:)`` uses. Higher runs first.
public enum Priority {
  /// Rule packs' parsers: above built-in parsers, so a pack can override a built-in form.
  public static let rulePack = 150
  /// Strict full-URL parsers.
  public static let parser = 100
  /// The cache of short-link resolutions: before every resolver.
  public static let cache = 60
  /// The first short-link resolver; each later one gets one less.
  public static let firstResolver = 50
  /// Heuristic parsers (e.g. an id recovered from an unknown path).
  public static let heuristic = 10
  /// The short-link recognizer that reports `needs_network` when no resolver answered.
  public static let shortLinkRecognizer = 0
}

extension Platform {
  /// Evaluates one of a plugin's built-in definitions (a handler or pattern it declares as a
  /// constant). A failure there is a bug in the plugin, which its example tests catch, so it stops
  /// the program with the plugin's name and the error.
  public static func definition<T>(of plugin: String, _ make: () throws -> T) -> T {
    do { return try make() } catch { fatalError("\(plugin) plugin: \(error)") }
  }
}

extension NormalizerRegistry {
  /// Registers a platform: its parsers (``Priority/parser`` or `parserPriority`), a
  /// ``CachedShortLinkNormalizer`` when `cache` is given (``Priority/cache``), one
  /// ``ShortLinkNormalizer`` per resolver that supports the platform in the given order (from
  /// ``Priority/firstResolver`` down), its heuristics, and a ``ShortLinkRecognizer``.
  public mutating func install(
    _ platform: Platform, resolvers: [any ShortLinkResolver] = [], cache: ResolutionCacheAccess? = nil,
    parserPriority: Int = Priority.parser
  ) {
    for parser in platform.parsers { register(parser, priority: parserPriority) }
    if let spec = platform.shortLinks {
      if let cache {
        register(
          CachedShortLinkNormalizer(spec: spec, cache: cache, parsers: platform.parsers), priority: Priority.cache)
      }
      var priority = Priority.firstResolver
      for resolver in resolvers where resolver.supports(spec) {
        register(
          ShortLinkNormalizer(spec: spec, resolver: resolver, parsers: platform.parsers, cache: cache),
          priority: priority)
        priority -= 1
      }
      register(ShortLinkRecognizer(spec: spec), priority: Priority.shortLinkRecognizer)
    }
    for heuristic in platform.heuristics { register(heuristic, priority: Priority.heuristic) }
  }
}

/// An example input a plugin must handle, with the expected result (offline, no resolvers).
public struct LinkExample: Sendable {
  public enum Expectation: Sendable {
    /// Success with these values; `identifiers` and `parameters` must match exactly.
    case normalized(
      kind: LinkKind, id: String, canonicalURL: String, handler: String, identifiers: [Field] = [],
      parameters: [Field] = [])
    /// Failure with this code.
    case error(ErrorCode)
  }
  public var input: String
  public var expected: Expectation
  public init(_ input: String, _ expected: Expectation) {
    self.input = input
    self.expected = expected
  }
}
