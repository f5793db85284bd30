/// A stable, machine-readable error code (`snake_case`). Codes are open: plugins and resolvers
/// add their own with `ErrorCode("…")`; the ones below are produced by the core.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { self.rawValue = value }
  public var description: String { rawValue }

  /// No URL was found in the input.
  public static let noLink: ErrorCode = "no_link"
  /// A URL that no registered platform recognizes, or a platform URL that carries no id.
  public static let unsupported: ErrorCode = "unsupported"
  /// The link needs a remote call (a short link) and none may or can be made.
  public static let needsNetwork: ErrorCode = "needs_network"
  /// The input itself is unusable (e.g. longer than the line limit).
  public static let invalidInput: ErrorCode = "invalid_input"
  /// A pattern hit a PCRE2 resource limit on this input.
  public static let patternLimit: ErrorCode = "pattern_limit"
}

/// An error for one input: a stable ``code``, a human sentence, and optional details (e.g. an
/// upstream `api_code`). Messages never contain secrets: resolvers redact credentials before they
/// build one.
public struct NormalizationError: Error, Sendable, Hashable, CustomStringConvertible {
  public var code: ErrorCode
  public var message: String
  /// Extra machine-readable facts, in a stable order (e.g. `api_code`, `http_status`).
  public var details: [Field]
  /// A final error stops the fallback chain: no later handler is tried, because none could do
  /// better (e.g. a cached answer that the short link is dead). Most errors are not final.
  public var isFinal = false

  public init(_ code: ErrorCode, _ message: String, details: [Field] = []) {
    self.code = code
    self.message = message
    self.details = details
  }

  public var description: String { "\(code.rawValue): \(message)" }

  /// The value of a detail, if present.
  public func detail(_ name: String) -> String? {
    details.first(where: { $0.name == name })?.value
  }
}

/// A named string value; used for extra identifiers, kept parameters and error details, where the
/// order is part of the output and must be stable.
public struct Field: Sendable, Hashable {
  public var name: String
  public var value: String
  public init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }
}
