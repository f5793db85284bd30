import JSONValue
public import LinkNormalizerCore
import PCRE2

/// Rule packs: platforms declared in JSON, without writing Swift.
///
/// A pack file holds one platform object, or an array of them:
///
/// ```json
/// {
///   "platform": "acme",
///   "hosts": ["acme.example", "www.acme.example"],
///   "forms": [
///     {"kind": "post", "pattern": "^/p/(?<id>[0-9]+)/?(?:\\?|$)", "canonical": "https://acme.example/p/{id}"},
///     {"kind": "post", "pattern": "^/u/(?<user_id>\\w+)/p/(?<id>[0-9]+)", "canonical": "https://acme.example/p/{id}",
///      "identifiers": {"user_id": "user_id"}, "hosts": ["www.acme.example"], "lowercase_id": false}
///   ],
///   "keep": ["lang", {"name": "page", "field": "page", "pattern": "^[2-9]$"}],
///   "short_links": {"hosts": ["acme.link"], "pattern": "^/[A-Za-z0-9]{4,16}/?$",
///                   "share_convert_path": "/api/acme/share-url-transfer/v1", "user_agent": "Mozilla/5.0 …"},
///   "examples": [{"input": "https://acme.example/p/1?lang=en", "kind": "post", "id": "1",
///                 "canonical": "https://acme.example/p/1?lang=en", "parameters": {"lang": "en"}},
///                {"input": "https://acme.example/", "error": "unsupported"}]
/// }
/// ```
///
/// Loading validates everything before any input is read and fails on the first problem with the
/// file, the JSON path and, for a pattern, PCRE2's message and offset. Loaded packs become
/// ``Platform`` values: install them with `parserPriority: Priority.rulePack` so a pack's forms are
/// tried before the built-in parsers (a pack can override a built-in platform's patterns); its
/// handler is named `<platform>.rules`, so a later pack for the same platform replaces an earlier one.
public enum RulePack {
  /// The largest pack file ``load(contentsOf:)`` reads: 16 MiB.
  public static let maximumFileSize = 16 << 20

  /// Loads the packs in the file at `path`.
  /// - Throws: ``RulePackError`` naming the file and the JSON path of the first problem (`$` when
  ///   the file cannot be read, is larger than ``maximumFileSize`` or is not valid JSON).
  public static func load(contentsOf path: String) throws(RulePackError) -> [Platform] {
    let bytes: [UInt8]
    switch FileContents.read(path, limit: maximumFileSize) {
    case .success(let contents): bytes = contents
    case .failure(let problem): throw RulePackError(file: path, path: "$", message: "cannot read the file: \(problem)")
    }
    return try parse(bytes, file: path)
  }

  /// Parses packs from the UTF-8 JSON text `data` (e.g. `[UInt8]` or `Data`); `file` names the
  /// source in errors.
  /// - Throws: ``RulePackError``; for text that is not JSON, at path `$` with the line and column
  ///   of the problem (`not valid JSON at line 2, column 5: …`).
  public static func parse(_ data: some Collection<UInt8>, file: String) throws(RulePackError) -> [Platform] {
    let root: JSONValue
    do {
      root = try JSONValue.parse(data)
    } catch {
      throw RulePackError(
        file: file, path: "$", message: "not valid JSON at line \(error.line), column \(error.column): \(error.message)"
      )
    }
    let reader = Reader(file: file)
    if let list = root.array {
      var platforms: [Platform] = []
      for (i, item) in list.enumerated() { platforms.append(try reader.platform(item, at: "$[\(i)]")) }
      return platforms
    }
    return [try reader.platform(root, at: "$")]
  }

}

/// A problem in a rule pack: where (file and JSON path) and what.
public struct RulePackError: Error, Sendable, CustomStringConvertible {
  public var file: String
  /// A JSONPath-like location, e.g. `$.forms[1].pattern`.
  public var path: String
  public var message: String
  public init(file: String, path: String, message: String) {
    self.file = file
    self.path = path
    self.message = message
  }
  public var description: String { "\(file): \(path): \(message)" }
}

/// Walks the JSON with paths for error messages.
private struct Reader {
  let file: String

  func fail(_ path: String, _ message: String) -> RulePackError {
    RulePackError(file: file, path: path, message: message)
  }

  /// `value` when it is an object (use its subscript for members).
  func object(_ value: JSONValue, at path: String) throws(RulePackError) -> JSONValue {
    guard value.object != nil else { throw fail(path, "expected an object") }
    return value
  }

  /// An object's keys, sorted (so the first unknown field reported does not depend on order).
  func sortedKeys(_ object: JSONValue) -> [String] {
    (object.object ?? []).map(\.key).sorted()
  }

  /// Throws for the first field of `object` not in `known` (in sorted order).
  func rejectUnknownFields(_ object: JSONValue, known: Set<String>, at path: String) throws(RulePackError) {
    for key in sortedKeys(object) where !known.contains(key) { throw fail("\(path).\(key)", "unknown field") }
  }

  /// The non-empty string field `key`, which must be present.
  func requiredString(_ object: JSONValue, _ key: String, at path: String) throws(RulePackError) -> String {
    guard let text = try optionalString(object, key, at: path) else {
      throw fail("\(path).\(key)", "missing (a string is required)")
    }
    return text
  }

  /// The non-empty string field `key`, or nil when absent.
  func optionalString(_ object: JSONValue, _ key: String, at path: String) throws(RulePackError) -> String? {
    guard let value = object[key] else { return nil }
    guard let text = value.string, !text.isEmpty else { throw fail("\(path).\(key)", "expected a non-empty string") }
    return text
  }

  func strings(_ object: JSONValue, _ key: String, at path: String, required: Bool) throws(RulePackError) -> [String]? {
    guard let value = object[key] else {
      if required { throw fail("\(path).\(key)", "missing (an array of strings is required)") }
      return nil
    }
    guard let list = value.array, !list.isEmpty else { throw fail("\(path).\(key)", "expected a non-empty array") }
    var result: [String] = []
    for (i, item) in list.enumerated() {
      guard let text = item.string, !text.isEmpty else {
        throw fail("\(path).\(key)[\(i)]", "expected a non-empty string")
      }
      result.append(text)
    }
    return result
  }

  func hosts(_ object: JSONValue, _ key: String, at path: String, required: Bool) throws(RulePackError) -> Set<String>?
  {
    guard let list = try strings(object, key, at: path, required: required) else { return nil }
    var result: Set<String> = []
    for (i, host) in list.enumerated() {
      let lowered = host.lowercased()
      guard let link = ParsedLink(lowered), link.scheme == nil, link.host == lowered, link.path.isEmpty else {
        throw fail("\(path).\(key)[\(i)]", "not a host name: \(host)")
      }
      result.insert(lowered)
    }
    return result
  }

  func pattern(_ source: String, at path: String) throws(RulePackError) -> PCRE2Pattern {
    do {
      return try PCRE2Pattern(source)
    } catch {
      if case .compile(let message, let offset, _) = error {
        throw fail(path, "PCRE2 error at offset \(offset): \(message)")
      }
      throw fail(path, error.description)
    }
  }

  func platform(_ value: JSONValue, at path: String) throws(RulePackError) -> Platform {
    let root = try object(value, at: path)
    try rejectUnknownFields(
      root, known: ["platform", "hosts", "forms", "keep", "short_links", "examples", "description"], at: path)
    let name = try requiredString(root, "platform", at: path)
    guard name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F })
    else { throw fail("\(path).platform", "use lower-case letters, digits, - and _ only") }
    let hosts = try self.hosts(root, "hosts", at: path, required: true)!

    guard let formList = root["forms"]?.array, !formList.isEmpty else {
      throw fail("\(path).forms", "expected a non-empty array of forms")
    }
    var forms: [URLPattern] = []
    for (i, item) in formList.enumerated() {
      forms.append(try form(item, at: "\(path).forms[\(i)]", platformHosts: hosts))
    }
    let keep = try keptParameters(root["keep"], at: "\(path).keep")
    let parser: PatternNormalizer
    do {
      parser = try PatternNormalizer(name: "\(name).rules", platform: name, hosts: hosts, forms: forms, keep: keep)
    } catch {
      throw fail(path, error.message)
    }
    let shortLinks = try shortLinkSpec(root["short_links"], platform: name, at: "\(path).short_links")
    let examples = try self.examples(root["examples"], at: "\(path).examples", handler: parser.name)
    return Platform(name: name, parsers: [parser], shortLinks: shortLinks, examples: examples)
  }

  func form(_ value: JSONValue, at path: String, platformHosts: Set<String>) throws(RulePackError) -> URLPattern {
    let item = try object(value, at: path)
    try rejectUnknownFields(
      item, known: ["kind", "pattern", "canonical", "identifiers", "hosts", "lowercase_id", "remark"], at: path)
    let kind = try requiredString(item, "kind", at: path)
    let compiled = try pattern(try requiredString(item, "pattern", at: path), at: "\(path).pattern")
    guard compiled.groupNumber(named: "id") != nil else {
      throw fail("\(path).pattern", "the pattern needs a named group `id`, e.g. (?<id>[0-9]+)")
    }
    let canonical = try requiredString(item, "canonical", at: path)
    var identifiers: [(group: String, field: String)] = []
    if let raw = item["identifiers"] {
      guard raw.object != nil else {
        throw fail("\(path).identifiers", "expected an object mapping group names to output fields")
      }
      for group in sortedKeys(raw) {
        guard let field = raw[group]?.string, !field.isEmpty else {
          throw fail("\(path).identifiers.\(group)", "expected a field name")
        }
        identifiers.append((group, field))
      }
    }
    let formHosts = try hosts(item, "hosts", at: path, required: false)
    if let formHosts, !formHosts.isSubset(of: platformHosts) {
      throw fail("\(path).hosts", "a form's hosts must be among the platform's hosts")
    }
    var lowercase = false
    if let raw = item["lowercase_id"] {
      guard let flag = raw.bool else { throw fail("\(path).lowercase_id", "expected true or false") }
      lowercase = flag
    }
    let remark = try optionalString(item, "remark", at: path)
    do {
      return try URLPattern(
        kind: LinkKind(kind), pattern: compiled, hosts: formHosts, canonical: canonical, identifiers: identifiers,
        lowercaseID: lowercase, remark: remark)
    } catch {
      throw fail(path, error.message)
    }
  }

  func keptParameters(_ value: JSONValue?, at path: String) throws(RulePackError) -> [KeptParameter] {
    guard let value else { return [] }
    guard let list = value.array else { throw fail(path, "expected an array") }
    var result: [KeptParameter] = []
    for (i, item) in list.enumerated() {
      let itemPath = "\(path)[\(i)]"
      if let name = item.string, !name.isEmpty {
        result.append(KeptParameter(name))
        continue
      }
      let object = try self.object(item, at: itemPath)
      let name = try requiredString(object, "name", at: itemPath)
      let field = try optionalString(object, "field", at: itemPath)
      let valuePattern = try optionalString(object, "pattern", at: itemPath).map {
        (source) throws(RulePackError) in
        try pattern(source, at: "\(itemPath).pattern")
      }
      result.append(KeptParameter(name, field: field, valuePattern: valuePattern))
    }
    return result
  }

  func shortLinkSpec(_ value: JSONValue?, platform: String, at path: String) throws(RulePackError) -> ShortLinkSpec? {
    guard let value else { return nil }
    let object = try self.object(value, at: path)
    try rejectUnknownFields(object, known: ["hosts", "pattern", "share_convert_path", "user_agent"], at: path)
    let hosts = try self.hosts(object, "hosts", at: path, required: true)!
    let shape = try pattern(try requiredString(object, "pattern", at: path), at: "\(path).pattern")
    let convert = try optionalString(object, "share_convert_path", at: path)
    if let convert, !convert.hasPrefix("/") || convert.contains("?") || convert.contains("#") {
      throw fail("\(path).share_convert_path", "expected a path starting with / and without query or fragment")
    }
    let agent = try optionalString(object, "user_agent", at: path)
    return ShortLinkSpec(platform: platform, hosts: hosts, pattern: shape, shareConvertPath: convert, userAgent: agent)
  }

  /// An object of string fields, as name-sorted ``Field``s.
  func fields(_ value: JSONValue?, at path: String) throws(RulePackError) -> [Field] {
    guard let value else { return [] }
    guard value.object != nil else { throw fail(path, "expected an object of strings") }
    var result: [Field] = []
    for key in sortedKeys(value) {
      guard let text = value[key]?.string else { throw fail("\(path).\(key)", "expected a string") }
      result.append(Field(key, text))
    }
    return result
  }

  func examples(_ value: JSONValue?, at path: String, handler: String) throws(RulePackError) -> [LinkExample] {
    guard let value else { return [] }
    guard let list = value.array else { throw fail(path, "expected an array") }
    var result: [LinkExample] = []
    for (i, item) in list.enumerated() {
      let itemPath = "\(path)[\(i)]"
      let object = try self.object(item, at: itemPath)
      let input = try requiredString(object, "input", at: itemPath)
      if let code = try optionalString(object, "error", at: itemPath) {
        result.append(LinkExample(input, .error(ErrorCode(code))))
        continue
      }
      let kind = try requiredString(object, "kind", at: itemPath)
      let id = try requiredString(object, "id", at: itemPath)
      let canonical = try requiredString(object, "canonical", at: itemPath)
      let identifiers = try fields(object["identifiers"], at: "\(itemPath).identifiers")
      let parameters = try fields(object["parameters"], at: "\(itemPath).parameters")
      result.append(
        LinkExample(
          input,
          .normalized(
            kind: LinkKind(kind), id: id, canonicalURL: canonical, handler: handler, identifiers: identifiers,
            parameters: parameters)))
    }
    return result
  }
}
