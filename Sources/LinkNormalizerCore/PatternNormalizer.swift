public import PCRE2

/// One full-URL form of a platform: a PCRE2 pattern with a named group `id`, what kind of object
/// it names, and how to write its canonical URL.
///
/// The pattern is matched against ``ParsedLink/target`` (path, then `?query`; never the host or
/// fragment). Anchor it with `^` so a non-matching path fails at its first bytes.
public final class URLPattern: Sendable {
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
  let idGroup: Int
  let identifierGroupNumbers: [(number: Int, field: String)]
  let hostTable: HostTable<Bool>?

  enum TemplatePart: Sendable {
    case literal([UInt8])
    case group(String, number: Int)
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
    var parts: [TemplatePart] = []
    for part in try URLPattern.parseTemplate(canonicalTemplate) {
      switch part {
      case .literal(let text): parts.append(.literal(Array(text.utf8)))
      case .group(let name):
        guard let number = pattern.groupNumber(named: name) else {
          throw PatternConfigurationError(
            "canonical template \(canonicalTemplate) names `{\(name)}`, which pattern \(pattern.pattern) lacks")
        }
        parts.append(.group(name, number: number))
      }
    }
    self.kind = kind
    self.pattern = pattern
    self.hosts = hosts.map { Set($0.map { $0.lowercased() }) }
    self.canonicalTemplate = canonicalTemplate
    self.identifierGroups = identifierGroups
    self.lowercaseID = lowercaseID
    self.remark = remark
    self.template = parts
    self.idGroup = pattern.groupNumber(named: "id")!
    self.identifierGroupNumbers = identifierGroups.map { (pattern.groupNumber(named: $0.group)!, $0.field) }
    self.hostTable = self.hosts.map { HostTable($0.map { ($0, true) }) }
  }

  /// Convenience: compiles `pattern` too.
  /// - Throws: ``PatternConfigurationError`` carrying PCRE2's message and offset for a bad pattern.
  public convenience init(
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

  enum RawTemplatePart {
    case literal(String)
    case group(String)
  }

  static func parseTemplate(_ template: String) throws(PatternConfigurationError) -> [RawTemplatePart] {
    var parts: [RawTemplatePart] = []
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
  private let hostTable: HostTable<Bool>
  private let keptParameterNames: [[UInt8]]

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
    self.hostTable = HostTable(self.hosts.map { ($0, true) })
    self.keptParameterNames = keptParameters.map { Array($0.name.utf8) }
  }

  public func accepts(_ link: ParsedLink) -> Bool {
    guard link.host(in: hostTable) != nil else { return false }
    return link.withTargetBytes { target in
      for form in forms where form.applies(to: link) {
        if (try? form.pattern.match(target, into: nil)) == true { return true }
      }
      return false
    }
  }

  public func normalize(_ link: ParsedLink, context: inout NormalizationContext) async throws(NormalizationError)
    -> NormalizerOutcome
  {
    try normalizeNow(link)
  }

  /// The captured values of one match, as strings.
  private struct Captured {
    var form: URLPattern
    var id: String
    var groups: [Int: String]
  }

  public func normalizeSynchronously(_ link: ParsedLink) throws(NormalizationError) -> NormalizerOutcome? {
    try normalizeNow(link)
  }

  /// The synchronous core of ``normalize(_:context:)``; usable where no chain is involved.
  public func normalizeNow(_ link: ParsedLink) throws(NormalizationError) -> NormalizerOutcome {
    guard link.host(in: hostTable) != nil else { return .declined("host \(link.host) is not one of \(name)'s") }
    let outcome: Result<Captured?, PCRE2Error> = link.withTargetBytes { target in
      withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (PCRE2Pattern.maximumCaptureGroups + 1)) { offsets in
        for form in forms where form.applies(to: link) {
          do throws(PCRE2Error) {
            guard try form.pattern.match(target, into: offsets) else { continue }
          } catch {
            return .failure(error)
          }
          func capture(_ group: Int) -> String? {
            let start = offsets[2 * group]
            guard start >= 0 else { return nil }
            let bytes = UnsafeBufferPointer(rebasing: target[start..<offsets[2 * group + 1]])
            return form.lowercaseID ? asciiLowercased(bytes) : String(decoding: bytes, as: UTF8.self)
          }
          guard let id = capture(form.idGroup) else { continue }
          var groups: [Int: String] = [:]
          for (number, _) in form.identifierGroupNumbers { groups[number] = capture(number) }
          for case .group(_, let number) in form.template where number != form.idGroup {
            groups[number] = capture(number)
          }
          return .success(Captured(form: form, id: id, groups: groups))
        }
        return .success(nil)
      }
    }
    let captured: Captured?
    switch outcome {
    case .success(let value): captured = value
    case .failure:
      throw NormalizationError(.patternLimit, "a \(platform) pattern hit its resource limit on this input")
    }
    guard let captured else {
      return .declined("no \(platform) URL form matches \(link.target.prefix(80))")
    }
    return .normalized(build(captured, link: link))
  }

  private func build(_ captured: Captured, link: ParsedLink) -> NormalizedLink {
    let form = captured.form
    var parameters: [Field] = []
    var keptIndices: [Int] = []
    if link.queryRange != nil, !keptParameters.isEmpty {
      parameters.reserveCapacity(keptParameters.count)
      keptIndices.reserveCapacity(keptParameters.count)
      for (index, parameter) in keptParameters.enumerated() {
        guard let value = link.queryValue(parameter.name), !value.isEmpty else { continue }
        if let check = parameter.valuePattern, (try? check.matches(value)) != true { continue }
        parameters.append(Field(parameter.field, value))
        keptIndices.append(index)
      }
    }
    // One allocation: size the canonical URL's upper bound (every value byte may become %XX).
    var bound = 0
    for part in form.template {
      switch part {
      case .literal(let literal): bound += literal.count
      case .group(_, let number):
        bound += 3 * (number == form.idGroup ? captured.id.utf8.count : (captured.groups[number]?.utf8.count ?? 0))
      }
    }
    for (i, parameter) in parameters.enumerated() {
      bound += 2 + keptParameterNames[keptIndices[i]].count + 3 * parameter.value.utf8.count
    }
    let canonical = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { buffer in
      var writer = ByteWriter(buffer)
      var hasQuery = false
      for part in form.template {
        switch part {
        case .literal(let literal):
          literal.withUnsafeBufferPointer { writer.write($0) }
          if !hasQuery, literal.contains(UInt8(ascii: "?")) { hasQuery = true }
        case .group(_, let number):
          var value = number == form.idGroup ? captured.id : (captured.groups[number] ?? "")
          value.withUTF8 { writer.writeEncodedComponent($0) }
        }
      }
      for (i, parameter) in parameters.enumerated() {
        writer.write(hasQuery || i > 0 ? UInt8(ascii: "&") : UInt8(ascii: "?"))
        keptParameterNames[keptIndices[i]].withUnsafeBufferPointer { writer.write($0) }
        writer.write(UInt8(ascii: "="))
        var value = parameter.value
        value.withUTF8 { writer.writeEncodedComponent($0) }
      }
      return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<writer.count]), as: UTF8.self)
    }
    var identifiers: [Field] = []
    for (number, field) in form.identifierGroupNumbers {
      if let value = captured.groups[number] { identifiers.append(Field(field, value)) }
    }
    return NormalizedLink(
      platform: platform, kind: form.kind, id: captured.id, canonicalURL: canonical,
      identifiers: identifiers, parameters: parameters, handler: name, remark: form.remark)
  }
}

extension URLPattern {
  @inline(__always)
  func applies(to link: ParsedLink) -> Bool {
    guard let hostTable else { return true }
    return link.host(in: hostTable) != nil
  }
}

/// Lower-cases ASCII letters only (ids are ASCII; Unicode case mapping would be slower and wrong).
@inline(__always)
func asciiLowercased(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
  guard bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return String(decoding: bytes, as: UTF8.self) }
  return String(unsafeUninitializedCapacity: bytes.count) { out in
    for i in 0..<bytes.count {
      let c = bytes[i]
      out[i] = c >= 0x41 && c <= 0x5A ? c | 0x20 : c
    }
    return bytes.count
  }
}

/// Writes bytes into a fixed buffer sized in advance (no growth, no per-byte checks beyond
/// debug builds).
struct ByteWriter {
  let buffer: UnsafeMutableBufferPointer<UInt8>
  private(set) var count = 0

  init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

  @inline(__always) mutating func write(_ byte: UInt8) {
    buffer[count] = byte
    count += 1
  }

  @inline(__always) mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
    (buffer.baseAddress! + count).update(from: source, count: bytes.count)
    count += bytes.count
  }

  /// Writes `bytes` percent-encoded as by ``PercentEncoding/encodeComponent(_:)-(String)``.
  @inline(__always) mutating func writeEncodedComponent(_ bytes: UnsafeBufferPointer<UInt8>) {
    // Ids and most values need no escaping: copy them whole.
    if bytes.allSatisfy(PercentEncoding.isUnreserved) {
      write(bytes)
      return
    }
    let out = buffer.baseAddress!
    var o = count
    for c in bytes {
      if PercentEncoding.isUnreserved(c) {
        out[o] = c
        o += 1
      } else {
        out[o] = UInt8(ascii: "%")
        out[o + 1] = PercentEncoding.hexDigit(c >> 4)
        out[o + 2] = PercentEncoding.hexDigit(c & 0xF)
        o += 3
      }
    }
    count = o
  }
}
