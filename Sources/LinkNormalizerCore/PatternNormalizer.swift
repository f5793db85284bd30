public import PCRE2

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One full-URL form of a platform: a PCRE2 pattern with a named group `id`, what kind of object
/// it names, and how to write its canonical URL.
///
/// The pattern is matched against ``ParsedLink/target`` (path, then `?query`; never the host or
/// fragment). Anchor it with `^` so a non-matching path fails at its first bytes.
public final class URLPattern: Sendable {
  public let kind: LinkKind
  public let pattern: PCRE2Pattern
  /// `pattern` without reference counting, for the hot path (valid while `pattern` holds it).
  let unmanagedPattern: Unmanaged<PCRE2Pattern>
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
  /// The canonical template, flattened: literal bytes, and steps that each write a literal slice
  /// then (when `group >= 0`) a captured group. Trivial values, so writing one copies nothing.
  let templateBytes: [UInt8]
  let templateSteps: [TemplateStep]
  /// Whether the template's literal text already holds a `?` (kept parameters then follow `&`).
  let templateHasQuery: Bool
  /// Whether the template's literal text needs no escaping in JSON (see ``isPlainByte(_:)``).
  let templateIsPlain: Bool
  let idGroup: Int
  let identifierGroupNumbers: [(number: Int, field: String)]
  let hostTable: HostTable<Bool>?
  /// Whether ``hosts`` restricts the form (checked before touching `hostTable`).
  let restricted: Bool

  struct TemplateStep: Sendable {
    var literal: Range<Int>
    var group: Int
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
    var bytes: [UInt8] = []
    var steps: [TemplateStep] = []
    var literalStart = 0
    for part in try URLPattern.parseTemplate(canonicalTemplate) {
      switch part {
      case .literal(let text): bytes.append(contentsOf: text.utf8)
      case .group(let name):
        guard let number = pattern.groupNumber(named: name) else {
          throw PatternConfigurationError(
            "canonical template \(canonicalTemplate) names `{\(name)}`, which pattern \(pattern.pattern) lacks")
        }
        steps.append(TemplateStep(literal: literalStart..<bytes.count, group: number))
        literalStart = bytes.count
      }
    }
    if literalStart < bytes.count { steps.append(TemplateStep(literal: literalStart..<bytes.count, group: -1)) }
    self.kind = kind
    self.pattern = pattern
    self.unmanagedPattern = Unmanaged.passUnretained(pattern)
    self.hosts = hosts.map { Set($0.map { $0.lowercased() }) }
    self.canonicalTemplate = canonicalTemplate
    self.identifierGroups = identifierGroups
    self.lowercaseID = lowercaseID
    self.remark = remark
    self.templateBytes = bytes
    self.templateSteps = steps
    self.templateHasQuery = bytes.contains(UInt8(ascii: "?"))
    self.templateIsPlain = bytes.allSatisfy(isPlainByte)
    self.idGroup = pattern.groupNumber(named: "id")!
    self.identifierGroupNumbers = identifierGroups.map { (pattern.groupNumber(named: $0.group)!, $0.field) }
    self.hostTable = self.hosts.map { HostTable($0.map { ($0, true) }) }
    self.restricted = hosts != nil
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
  /// `forms` without reference counting, for the hot path (valid while `forms` holds them).
  private let formRefs: [Unmanaged<URLPattern>]
  public let keptParameters: [KeptParameter]
  private let hostTable: HostTable<Bool>
  /// The kept parameters' names back to back; name `k` is `keptNameBytes[keptNameStarts[k]..<keptNameStarts[k + 1]]`.
  private let keptNameBytes: [UInt8]
  private let keptNameStarts: [Int]
  private let keptNamesArePlain: Bool

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
    self.formRefs = forms.map { Unmanaged.passUnretained($0) }
    self.keptParameters = keptParameters
    self.hostTable = HostTable(self.hosts.map { ($0, true) })
    var nameBytes: [UInt8] = []
    var nameStarts = [0]
    for parameter in keptParameters {
      nameBytes.append(contentsOf: parameter.name.utf8)
      nameStarts.append(nameBytes.count)
    }
    self.keptNameBytes = nameBytes
    self.keptNameStarts = nameStarts
    self.keptNamesArePlain = nameBytes.allSatisfy(isPlainByte)
  }

  public func accepts(_ link: ParsedLink) -> Bool {
    guard link.hostIsIn(hostTable) else { return false }
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

  public func normalizeSynchronously(_ link: ParsedLink) throws(NormalizationError) -> NormalizerOutcome? {
    try normalizeNow(link)
  }

  /// The synchronous core of ``normalize(_:context:)``; usable where no chain is involved.
  public func normalizeNow(_ link: ParsedLink) throws(NormalizationError) -> NormalizerOutcome {
    guard link.hostIsIn(hostTable) else { return .declined("host \(link.host) is not one of \(name)'s") }
    switch run(link, limitFailsUnaccepted: true) {
    case .notAccepted, .asynchronous: return noFormMatches(link)
    case .answered(let outcome): return try outcome.get()
    }
  }

  private func noFormMatches(_ link: ParsedLink) -> NormalizerOutcome {
    .declined("no \(platform) URL form matches \(link.target.prefix(80))")
  }

  private enum FormStep {
    case skip
    case limit
    /// The form matches (so the handler accepts the link) but gives no result.
    case acceptedWithoutResult
    case result(NormalizedLink)
  }

  /// One pass over the forms serves both questions: whether the handler accepts the link, and its
  /// answer (see ``LinkNormalizer/attemptSynchronously(_:)``).
  public func attemptSynchronously(_ link: ParsedLink) -> SynchronousAttempt {
    guard link.hostIsIn(hostTable) else { return .notAccepted }
    return run(link, limitFailsUnaccepted: false)
  }

  /// Tries the forms in order on a link whose host is served. The first form that matches with its
  /// `id` set produces the result. A form that matches without an id still means the handler
  /// accepts the link (the answer is then `declined`); a form that hits a resource limit counts as
  /// not matching for acceptance and, when the link is accepted (or `limitFailsUnaccepted`), fails
  /// it with `pattern_limit`.
  private func run(_ link: ParsedLink, limitFailsUnaccepted: Bool) -> SynchronousAttempt {
    let queryLength = link.queryRange?.count ?? 0
    return link.withTargetBytes { target in
      withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (PCRE2Pattern.maximumCaptureGroups + 1)) { offsets in
        var accepted = false
        var limitHit = false
        forms: for index in formRefs.indices {
          // `forms` (and so each form and its pattern) lives as long as `self`: borrowed without
          // reference counting, so worker threads never contend on their counters.
          let step = formRefs[index]._withUnsafeGuaranteedRef { form -> FormStep in
            if !form.applies(to: link) { return .skip }
            // After a limit error, the remaining forms only decide acceptance.
            let match: Result<Bool, PCRE2Error> = form.unmanagedPattern._withUnsafeGuaranteedRef { pattern in
              do throws(PCRE2Error) {
                return .success(try pattern.match(target, into: limitHit ? nil : offsets))
              } catch {
                return .failure(error)
              }
            }
            switch match {
            case .failure: return .limit
            case .success(false): return .skip
            case .success(true):
              if limitHit || offsets[2 * form.idGroup] < 0 { return .acceptedWithoutResult }
              return .result(
                build(form, target: target, offsets: UnsafeBufferPointer(offsets), queryLength: queryLength))
            }
          }
          switch step {
          case .skip: continue
          case .limit: limitHit = true
          case .acceptedWithoutResult:
            accepted = true
            if limitHit { break forms }
          case .result(let result): return .answered(.success(.normalized(result)))
          }
        }
        guard accepted || (limitHit && limitFailsUnaccepted) else { return .notAccepted }
        if limitHit {
          return .answered(
            .failure(NormalizationError(.patternLimit, "a \(platform) pattern hit its resource limit on this input")))
        }
        return .answered(.success(noFormMatches(link)))
      }
    }
  }

  /// The result for a match of `form` on `target` (the link's path and query, see
  /// ``ParsedLink/target``): captures are read straight from `target`'s bytes, kept parameters
  /// from its query in one pass, and the id, the parameters and the canonical URL are written once
  /// into the result's one allocation (see ``PackedLayout``).
  private func build(
    _ form: URLPattern, target: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int>, queryLength: Int
  ) -> NormalizedLink {
    @inline(__always) func group(_ number: Int) -> UnsafeBufferPointer<UInt8>? {
      let start = offsets[2 * number]
      guard start >= 0 else { return nil }
      return UnsafeBufferPointer(rebasing: target[start..<offsets[2 * number + 1]])
    }
    let idBytes = group(form.idGroup)!
    let kept = keptParameters.count
    // The query is the end of the target (see ``ParsedLink/target``).
    let query =
      queryLength > 0 && kept > 0 ? UnsafeBufferPointer(rebasing: target[(target.count - queryLength)...]) : nil
    var identifiers: [Field] = []
    for (number, field) in form.identifierGroupNumbers {
      if let bytes = group(number) {
        identifiers.append(
          Field(field, form.lowercaseID ? ASCII.lowercasedString(bytes) : String(decoding: bytes, as: UTF8.self)))
      }
    }
    return withUnsafeTemporaryAllocation(of: Range<Int>?.self, capacity: kept) { values in
      values.initialize(repeating: nil)
      if let query {
        keptNameBytes.withUnsafeBufferPointer { names in
          keptNameStarts.withUnsafeBufferPointer { starts in
            ParsedLink.findFirstValues(in: query, names: names, starts: starts, into: values)
          }
        }
      }
      // Exact upper bound: the parameter table, the id, each kept parameter's field name and value
      // (decoding never lengthens it), the canonical URL (every captured or value byte may
      // become %XX).
      var capacity = 16 * kept + idBytes.count + form.templateBytes.count
      for step in form.templateSteps where step.group >= 0 { capacity += 3 * (group(step.group)?.count ?? 0) }
      for k in 0..<kept {
        guard let range = values[k] else { continue }
        capacity +=
          keptParameters[k].field.utf8.count + 2 + (keptNameStarts[k + 1] - keptNameStarts[k]) + 4 * range.count
      }
      // Captures and values are percent-encoded into the canonical URL, so only the literal parts
      // decide whether it is JSON-safe.
      return NormalizedLink(
        platform: platform, kind: form.kind, identifiers: identifiers, handler: name, remark: form.remark,
        canonicalIsPlain: form.templateIsPlain && keptNamesArePlain, capacity: capacity
      ) { bytes in
        var writer = ByteWriter(bytes)
        writer.skip(16 * kept)
        let idStart = writer.count
        if form.lowercaseID { writer.writeLowercased(idBytes) } else { writer.write(idBytes) }
        let idRange = idStart..<writer.count
        var parameterCount = 0
        if let query {
          for k in 0..<kept {
            guard let range = values[k], !range.isEmpty else { continue }
            let nameStart = writer.count
            withUTF8Bytes(of: keptParameters[k].field) { writer.write($0) }
            let valueStart = writer.count
            writer.writeDecodedOnce(UnsafeBufferPointer(rebasing: query[range]))
            if let check = keptParameters[k].valuePattern,
              (try? check.match(UnsafeBufferPointer(rebasing: bytes[valueStart..<writer.count]), into: nil)) != true
            {
              // Rejected: dropped here and from the canonical URL below.
              writer.skip(nameStart - writer.count)
              values[k] = nil
              continue
            }
            PackedLayout.setParameter(
              parameterCount, name: nameStart..<valueStart, value: valueStart..<writer.count, in: bytes)
            parameterCount += 1
          }
        }
        let canonicalStart = writer.count
        form.templateBytes.withUnsafeBufferPointer { literal in
          for step in form.templateSteps {
            writer.write(UnsafeBufferPointer(rebasing: literal[step.literal]))
            if step.group >= 0, let bytes = group(step.group) {
              writer.writeEncodedComponent(bytes, lowercase: form.lowercaseID)
            }
          }
        }
        var separator = form.templateHasQuery ? UInt8(ascii: "&") : UInt8(ascii: "?")
        keptNameBytes.withUnsafeBufferPointer { nameBytes in
          // The recorded parameters, in kept order, each under its query name, with its decoded
          // value encoded.
          var p = 0
          for k in 0..<kept {
            guard let range = values[k], !range.isEmpty else { continue }
            let value = PackedLayout.valueRange(p, in: bytes)
            writer.write(separator)
            separator = UInt8(ascii: "&")
            writer.write(UnsafeBufferPointer(rebasing: nameBytes[keptNameStarts[k]..<keptNameStarts[k + 1]]))
            writer.write(UInt8(ascii: "="))
            writer.writeEncodedComponent(
              UnsafeBufferPointer(rebasing: UnsafeBufferPointer(bytes)[value]), lowercase: false)
            p += 1
          }
        }
        return PackedLayout(
          id: Int32(idRange.lowerBound)..<Int32(idRange.upperBound),
          canonicalURL: Int32(canonicalStart)..<Int32(writer.count), parameterCount: Int32(parameterCount))
      }
    }
  }
}

extension URLPattern {
  /// Whether the form applies to the link's host (always, for a form without its own hosts).
  @inline(__always)
  func applies(to link: ParsedLink) -> Bool {
    // `restricted` first: reading the optional table alone would copy it.
    guard restricted, let hostTable else { return true }
    return link.hostIsIn(hostTable)
  }
}

/// Printable ASCII other than `"` and `\\`: bytes that JSON and TSV carry as they are.
@inline(__always)
func isPlainByte(_ c: UInt8) -> Bool {
  c >= 0x20 && c < 0x7F && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\")
}
