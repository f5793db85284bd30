public import PCRE2

/// One full-URL form of a platform: a PCRE2 pattern with a named group `id`, what kind of object
/// it names, and how to write its canonical URL.
///
/// The pattern is matched against ``ParsedLink/target`` (path, then `?query`; never the host or
/// fragment). Anchor it with `^` so a non-matching path fails at its first bytes.
public struct URLPattern: Sendable {
  public let kind: LinkKind
  public let pattern: PCRE2Pattern
  /// When set, the form applies only to these hosts (lower-case); otherwise to all the handler's.
  public let hosts: Set<String>?
  /// The canonical URL with `{group}` placeholders, e.g. `https://www.example.com/v/{id}`.
  public let canonicalTemplate: String
  /// Named groups reported as extra identifiers, with the output field for each
  /// (e.g. group `user_id` → field `user_id`).
  public let identifierGroups: [(group: String, field: String)]
  /// Lower-case the id (for platforms whose ids are case-insensitive hex).
  public let lowercaseID: Bool
  /// A remark attached to results of this form (shown in provenance), e.g. for heuristics.
  public let remark: String?
  let template: [TemplatePart]

  enum TemplatePart: Sendable {
    case literal(String)
    case group(String)
  }

  /// - Throws: ``PatternConfigurationError`` when the pattern has no `id` group, or the template
  ///   names a group the pattern lacks.
  public init(
    kind: LinkKind, pattern: PCRE2Pattern, hosts: Set<String>? = nil, canonical canonicalTemplate: String,
    identifiers identifierGroups: [(group: String, field: String)] = [], lowercaseID: Bool = false,
    remark: String? = nil
  ) throws(PatternConfigurationError) {
    guard pattern.groupNumber(named: "id") != nil else {
      throw PatternConfigurationError("pattern \(pattern.pattern) has no named group `id`")
    }
    for (group, _) in identifierGroups where pattern.groupNumber(named: group) == nil {
      throw PatternConfigurationError("pattern \(pattern.pattern) has no named group `\(group)`")
    }
    let parts = try URLPattern.parseTemplate(canonicalTemplate)
    for case .group(let name) in parts where pattern.groupNumber(named: name) == nil {
      throw PatternConfigurationError("canonical template \(canonicalTemplate) names `{\(name)}`, which pattern \(pattern.pattern) lacks")
    }
    self.kind = kind
    self.pattern = pattern
    self.hosts = hosts.map { Set($0.map { $0.lowercased() }) }
    self.canonicalTemplate = canonicalTemplate
    self.identifierGroups = identifierGroups
    self.lowercaseID = lowercaseID
    self.remark = remark
    self.template = parts
  }

  /// Convenience: compiles `pattern` too.
  /// - Throws: ``PatternConfigurationError`` carrying PCRE2's message and offset for a bad pattern.
  public init(
    kind: LinkKind, _ pattern: String, hosts: Set<String>? = nil, canonical: String,
    identifiers: [(group: String, field: String)] = [], lowercaseID: Bool = false, remark: String? = nil
  ) throws(PatternConfigurationError) {
    let compiled: PCRE2Pattern
    do {
      compiled = try PCRE2Pattern(pattern)
    } catch {
      throw PatternConfigurationError(error)
    }
    try self.init(
      kind: kind, pattern: compiled, hosts: hosts, canonical: canonical, identifiers: identifiers,
      lowercaseID: lowercaseID, remark: remark)
  }

  static func parseTemplate(_ template: String) throws(PatternConfigurationError) -> [TemplatePart] {
    var parts: [TemplatePart] = []
    var rest = Substring(template)
    while let open = rest.firstIndex(of: "{") {
      if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
      guard let close = rest[open...].firstIndex(of: "}") else {
        throw PatternConfigurationError("canonical template \(template) has an unclosed `{`")
      }
      let name = rest[rest.index(after: open)..<close]
      guard !name.isEmpty else { throw PatternConfigurationError("canonical template \(template) has an empty `{}`") }
      parts.append(.group(String(name)))
      rest = rest[rest.index(after: close)...]
    }
    if !rest.isEmpty { parts.append(.literal(String(rest))) }
    guard case .literal(let first)? = parts.first, first.hasPrefix("https://") || first.hasPrefix("http://") else {
      throw PatternConfigurationError("canonical template \(template) must start with http:// or https://")
    }
    return parts
  }
}

/// A query parameter a platform keeps in canonical URLs (e.g. an access token or a page number).
public struct KeptParameter: Sendable {
  /// The query parameter's name, matched exactly.
  public let name: String
  /// The output field the decoded value is reported under.
  public let field: String
  /// When set, the value (decoded once) is kept only if this pattern matches it.
  public let valuePattern: PCRE2Pattern?

  public init(_ name: String, field: String? = nil, valuePattern: PCRE2Pattern? = nil) {
    self.name = name
    self.field = field ?? name
    self.valuePattern = valuePattern
  }
}

/// A configuration mistake in a pattern handler (bad pattern, template, or field name). Raised
/// when the handler is built, never while normalizing.
public struct PatternConfigurationError: Error, Sendable, CustomStringConvertible {
  public var message: String
  /// The PCRE2 error, when a pattern failed to compile.
  public var pcre2: PCRE2Error?
  public init(_ message: String) {
    self.message = message
    self.pcre2 = nil
  }
  public init(_ error: PCRE2Error) {
    self.message = error.description
    self.pcre2 = error
  }
  public var description: String { message }
}

/// The output fields the core itself writes; plugin-defined identifiers and kept parameters may
/// not use these names.
public let reservedFieldNames: Set<String> = [
  "input", "ok", "platform", "kind", "id", "canonical_url", "url", "handler", "parser", "resolver",
  "resolved_url", "cached", "remark", "attempts", "error", "index", "status",
]

/// A local, offline handler driven by PCRE2 patterns: the building block of every platform plugin
/// and of rule packs.
///
/// For a link on one of its hosts, the forms are tried in order and the first that matches
/// produces the result; kept parameters are read from the query, decoded once, and appended to the
/// canonical URL in declaration order (re-encoded so that normalizing the canonical URL returns it
/// unchanged). Everything else in the query and the fragment is dropped.
///
/// Immutable and `Sendable`; patterns are shared, compiled once.
public struct PatternNormalizer: LinkNormalizer {
  public let name: String
  public let platform: String
  public let hosts: Set<String>
  public let forms: [URLPattern]
  public let keptParameters: [KeptParameter]

  /// - Throws: ``PatternConfigurationError`` when an identifier or parameter field collides with
  ///   ``reservedFieldNames``, or `hosts` is empty.
  public init(
    name: String, platform: String, hosts: Set<String>, forms: [URLPattern], keep keptParameters: [KeptParameter] = []
  ) throws(PatternConfigurationError) {
    guard !hosts.isEmpty else { throw PatternConfigurationError("\(name): a pattern handler needs at least one host") }
    for form in forms {
      for (_, field) in form.identifierGroups where reservedFieldNames.contains(field) {
        throw PatternConfigurationError("\(name): identifier field `\(field)` is reserved")
      }
    }
    for parameter in keptParameters where reservedFieldNames.contains(parameter.field) {
      throw PatternConfigurationError("\(name): parameter field `\(parameter.field)` is reserved")
    }
    self.name = name
    self.platform = platform
    self.hosts = Set(hosts.map { $0.lowercased() })
    self.forms = forms
    self.keptParameters = keptParameters
  }

  public func accepts(_ link: ParsedLink) -> Bool {
    guard hosts.contains(link.host) else { return false }
    var target = link.target
    return target.withUTF8 { buffer in
      for form in forms where form.hosts?.contains(link.host) ?? true {
        if (try? form.pattern.match(buffer, into: nil)) == true { return true }
      }
      return false
    }
  }

  public func normalize(_ link: ParsedLink, context: inout NormalizationContext) async throws(NormalizationError)
    -> NormalizerOutcome
  {
    try normalizeNow(link)
  }

  /// The synchronous core of ``normalize(_:context:)``; usable where no chain is involved.
  public func normalizeNow(_ link: ParsedLink) throws(NormalizationError) -> NormalizerOutcome {
    guard hosts.contains(link.host) else { return .declined("host \(link.host) is not one of \(name)'s") }
    let target = link.target
    for form in forms where form.hosts?.contains(link.host) ?? true {
      let found: PCRE2Match?
      do {
        found = try form.pattern.firstMatch(in: target)
      } catch {
        throw NormalizationError(.patternLimit, "pattern stopped by a resource limit on this input")
      }
      guard let match = found, let rawID = match["id"] else { continue }
      return .normalized(build(form: form, match: match, rawID: rawID, link: link))
    }
    return .declined("no \(platform) URL form matches \(target.prefix(80))")
  }

  private func build(form: URLPattern, match: PCRE2Match, rawID: Substring, link: ParsedLink) -> NormalizedLink {
    let id = form.lowercaseID ? rawID.lowercased() : String(rawID)
    var canonical = ""
    canonical.reserveCapacity(96)
    for part in form.template {
      switch part {
      case .literal(let text): canonical += text
      case .group(let group):
        if group == "id" {
          canonical += PercentEncoding.encodeComponent(id)
        } else if let value = match[group] {
          canonical += PercentEncoding.encodeComponent(String(value))
        }
      }
    }
    var parameters: [Field] = []
    if !keptParameters.isEmpty, link.query != nil {
      var separator: Character = "?"
      if canonical.contains("?") { separator = "&" }
      for parameter in keptParameters {
        guard let value = link.queryValue(parameter.name), !value.isEmpty else { continue }
        if let check = parameter.valuePattern, (try? check.matches(value)) != true { continue }
        parameters.append(Field(parameter.field, value))
        canonical.append(separator)
        canonical += parameter.name
        canonical += "="
        canonical += PercentEncoding.encodeComponent(value)
        separator = "&"
      }
    }
    var identifiers: [Field] = []
    for (group, field) in form.identifierGroups {
      if let value = match[group] {
        identifiers.append(Field(field, form.lowercaseID ? value.lowercased() : String(value)))
      }
    }
    return NormalizedLink(
      platform: platform, kind: form.kind, id: id, canonicalURL: canonical, identifiers: identifiers,
      parameters: parameters, handler: name, remark: form.remark)
  }
}
