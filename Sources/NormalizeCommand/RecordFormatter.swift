import LinkNormalizerCore

/// The output formats of `normalize`.
public enum OutputFormat: String, Sendable, CaseIterable {
  /// The canonical URL per input; an empty line for a failed input (its error goes to stderr).
  case text
  /// One JSON object per input (see the README for the fields).
  case jsonl
  /// `index, status, platform, kind, id, canonical_url, handler`, tab-separated.
  case tsv
}

/// Counts of what was written, merged from every block of a run.
struct Tally: Sendable {
  var inputs = 0
  var normalized = 0
  var failuresByCode: [String: Int] = [:]

  mutating func add(_ other: Tally) {
    inputs += other.inputs
    normalized += other.normalized
    for (code, count) in other.failuresByCode { failuresByCode[code, default: 0] += count }
  }

  var failed: Int { failuresByCode.values.reduce(0, +) }
}

/// Formats records: one stdout line per input, always; per-input errors and `--explain` trails
/// go to a separate stderr buffer. Stateless apart from its options, so workers share copies.
struct RecordFormatter: Sendable {
  let format: OutputFormat
  let explain: Bool

  /// Per-input error lines go to stderr in text and tsv formats (jsonl carries them in-band) and
  /// are replaced by the full trail under `--explain`.
  var writesErrorLines: Bool { format != .jsonl && !explain }

  /// Writes the record for input number `index` (1-based) and counts it.
  func write(
    _ record: NormalizationRecord, index: Int, out: inout OutputBuffer, err: inout OutputBuffer, tally: inout Tally
  ) {
    tally.inputs += 1
    switch format {
    case .text:
      if let link = record.link { link.withCanonicalURLBytes { out.append($0) } }
      out.append(UInt8(ascii: "\n"))
    case .tsv:
      writeTSV(record, index: index, to: &out)
    case .jsonl:
      writeJSON(record, to: &out)
    }
    // `link` and `error` rather than `result`: building a `Result` per record costs a copy and a
    // generic destroy.
    if let error = record.error {
      tally.failuresByCode[error.code.rawValue, default: 0] += 1
      if writesErrorLines { writeErrorLine(index: index, code: error.code.rawValue, message: error.message, to: &err) }
    } else {
      tally.normalized += 1
    }
    if explain { writeExplanation(record, index: index, to: &err) }
  }

  /// The record for a line longer than `limit` bytes: `invalid_input`, with the line's first bytes.
  func tooLongRecord(prefix: String, length: Int, limit: Int) -> NormalizationRecord {
    let error = NormalizationError(.invalidInput, "input line is \(length) bytes; the limit is \(limit) bytes")
    return NormalizationRecord(input: prefix, foundLink: nil, result: .failure(error), attempts: [])
  }

  /// `--which`: the handlers that would be tried, in order.
  func writePlan(
    _ prepared: FallbackChain.PreparedInput, index: Int, out: inout OutputBuffer, err: inout OutputBuffer,
    tally: inout Tally
  ) {
    tally.inputs += 1
    let names = prepared.candidates.map(\.name)
    if names.isEmpty {
      let code: ErrorCode = prepared.link == nil ? .noLink : .unsupported
      tally.failuresByCode[code.rawValue, default: 0] += 1
      if format != .jsonl {
        writeErrorLine(
          index: index, code: code.rawValue,
          message: prepared.link == nil ? "no link found in the input" : "no handler takes this link", to: &err)
      }
    } else {
      tally.normalized += 1
    }
    switch format {
    case .text:
      out.append(names.joined(separator: ","))
    case .tsv:
      out.appendInteger(index)
      out.append(UInt8(ascii: "\t"))
      if let link = prepared.link { link.withTextBytes { out.append($0) } }
      out.append(UInt8(ascii: "\t"))
      out.append(names.joined(separator: ","))
    case .jsonl:
      out.append("{\"input\":")
      out.appendJSONString(prepared.input)
      out.append(",\"url\":")
      if let link = prepared.link { link.withTextBytes { out.appendJSONString(bytes: $0) } } else { out.append("null") }
      out.append(",\"handlers\":[")
      for (i, name) in names.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        out.appendJSONString(name)
      }
      out.append("]}")
    }
    out.append(UInt8(ascii: "\n"))
  }

  private func writeErrorLine(index: Int, code: String, message: String, to err: inout OutputBuffer) {
    err.append("normalize: input ")
    err.appendInteger(index)
    err.append(": ")
    err.append(code)
    err.append(": ")
    err.append(message)
    err.append(UInt8(ascii: "\n"))
  }

  private func writeTSV(_ record: NormalizationRecord, index: Int, to out: inout OutputBuffer) {
    out.appendInteger(index)
    out.append(UInt8(ascii: "\t"))
    if let link = record.link {
      out.append("ok\t")
      appendTSVField(link.platform, to: &out)
      out.append(UInt8(ascii: "\t"))
      appendTSVField(link.kind.rawValue, to: &out)
      out.append(UInt8(ascii: "\t"))
      link.withIDBytes { out.appendTSVField(bytes: $0) }
      out.append(UInt8(ascii: "\t"))
      link.withCanonicalURLBytes { out.appendTSVField(bytes: $0) }
      out.append(UInt8(ascii: "\t"))
      appendTSVField(link.handler, to: &out)
    } else {
      appendTSVField(record.error?.code.rawValue ?? ErrorCode.unsupported.rawValue, to: &out)
      out.append("\t\t\t\t\t")
    }
    out.append(UInt8(ascii: "\n"))
  }

  /// TSV fields cannot hold tabs or line breaks; they become spaces (links never hold them). Text
  /// without them, the usual case, is copied whole.
  private func appendTSVField(_ text: String, to out: inout OutputBuffer) {
    withUTF8Bytes(of: text) { out.appendTSVField(bytes: $0) }
  }

  private func writeJSON(_ record: NormalizationRecord, to out: inout OutputBuffer) {
    out.append("{\"input\":")
    // An input that is exactly a link the extractor cut needs no escaping (most inputs are a bare
    // URL): copy it without scanning.
    if let found = record.foundLink, found.isPlainText, found.range.lowerBound == 0,
      found.range.upperBound == record.input.utf8.count
    {
      out.appendQuoted(record.input)
    } else {
      out.appendJSONString(record.input)
    }
    if let link = record.link {
      out.append(",\"ok\":true,\"platform\":")
      out.appendJSONString(link.platform)
      out.append(",\"kind\":")
      out.appendJSONString(link.kind.rawValue)
      out.append(",\"id\":")
      link.withIDBytes { out.appendJSONString(bytes: $0) }
      out.append(",\"canonical_url\":")
      // Two branches rather than one helper taking the flag: the closures then inline (measured:
      // about 1.5% of the batch's instructions with the helper).
      if link.canonicalIsPlain {
        link.withCanonicalURLBytes { out.appendQuoted(bytes: $0) }
      } else {
        link.withCanonicalURLBytes { out.appendJSONString(bytes: $0) }
      }
      appendURL(record, to: &out)
      out.append(",\"handler\":")
      out.appendJSONString(link.handler)
      if link.hasProvenanceDetails {
        out.append(",\"parser\":")
        out.appendJSONStringOrNull(link.parser)
        out.append(",\"resolver\":")
        out.appendJSONStringOrNull(link.resolver)
        out.append(",\"resolved_url\":")
        out.appendJSONStringOrNull(link.resolvedURL)
        out.append(link.cached ? ",\"cached\":true,\"remark\":" : ",\"cached\":false,\"remark\":")
        out.appendJSONStringOrNull(link.remark)
      } else {
        out.append(",\"parser\":null,\"resolver\":null,\"resolved_url\":null,\"cached\":false,\"remark\":null")
      }
      for field in link.identifiers { appendField(field, to: &out) }
      link.forEachParameter { name, value in
        out.append(UInt8(ascii: ","))
        out.appendJSONString(bytes: name)
        out.append(UInt8(ascii: ":"))
        out.appendJSONString(bytes: value)
      }
    } else {
      out.append(",\"ok\":false,\"platform\":null,\"kind\":null,\"id\":null,\"canonical_url\":null")
      appendURL(record, to: &out)
      out.append(
        ",\"handler\":null,\"parser\":null,\"resolver\":null,\"resolved_url\":null,\"cached\":false,\"remark\":null")
    }
    out.append(",\"attempts\":[")
    // Fields read in place through the buffer: copying each `Attempt` whole would copy its error.
    record.withAttempts { attempts in
      for i in attempts.indices {
        out.append(i == 0 ? "{\"handler\":" : ",{\"handler\":")
        out.appendJSONString(attempts[i].handler)
        switch attempts[i].outcome {
        case .succeeded: out.append(",\"outcome\":\"succeeded\",\"error\":")
        case .declined: out.append(",\"outcome\":\"declined\",\"error\":")
        case .failed: out.append(",\"outcome\":\"failed\",\"error\":")
        case .skipped: out.append(",\"outcome\":\"skipped\",\"error\":")
        }
        if let error = attempts[i].error {
          out.appendJSONString(error.code.rawValue)
          out.append(",\"note\":")
          out.appendJSONString(attempts[i].note ?? error.message)
        } else if let note = attempts[i].note {
          out.append("null,\"note\":")
          out.appendJSONString(note)
        } else {
          out.append("null")
        }
        out.append(",\"ms\":")
        out.appendMilliseconds(attempts[i].duration)
        out.append(UInt8(ascii: "}"))
      }
    }
    if let error = record.error {
      out.append("],\"error\":{\"code\":")
      out.appendJSONString(error.code.rawValue)
      out.append(",\"message\":")
      out.appendJSONString(error.message)
      for detail in error.details { appendDetail(detail, to: &out) }
      out.append("}}\n")
    } else {
      out.append("],\"error\":null}\n")
    }
  }

  /// The link found in the input, straight from the input's bytes.
  private func appendURL(_ record: NormalizationRecord, to out: inout OutputBuffer) {
    out.append(",\"url\":")
    if let found = record.foundLink {
      if found.isPlainText {
        found.withTextBytes { out.appendQuoted(bytes: $0) }
      } else {
        found.withTextBytes { out.appendJSONString(bytes: $0) }
      }
    } else {
      out.append("null")
    }
  }

  private func appendField(_ field: Field, to out: inout OutputBuffer) {
    out.append(UInt8(ascii: ","))
    out.appendJSONString(field.name)
    out.append(UInt8(ascii: ":"))
    out.appendJSONString(field.value)
  }

  /// Error details whose value is a plain integer are written as JSON numbers (`api_code`,
  /// `http_status`), others as strings.
  private func appendDetail(_ field: Field, to out: inout OutputBuffer) {
    out.append(UInt8(ascii: ","))
    out.appendJSONString(field.name)
    out.append(UInt8(ascii: ":"))
    if isInteger(field.value) { out.append(field.value) } else { out.appendJSONString(field.value) }
  }

  private func isInteger(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty, bytes.count <= 15 else { return false }
    let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
    guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
    return digits.count == 1 || digits.first != 0x30
  }

  /// The human-readable attempt trail for `--explain`.
  func writeExplanation(_ record: NormalizationRecord, index: Int, to err: inout OutputBuffer) {
    err.append("normalize: input ")
    err.appendInteger(index)
    err.append(": ")
    err.append(record.url ?? "(no link)")
    err.append(UInt8(ascii: "\n"))
    for (i, attempt) in record.attempts.enumerated() {
      err.append("  ")
      err.appendInteger(i + 1)
      err.append(". ")
      err.append(attempt.handler)
      err.append(" ")
      err.append(attempt.outcome.rawValue)
      if let error = attempt.error {
        err.append(" ")
        err.append(error.code.rawValue)
        err.append(": ")
        err.append(error.message)
      } else if let note = attempt.note {
        err.append(": ")
        err.append(note)
      }
      err.append(" (")
      err.appendMilliseconds(attempt.duration)
      err.append(" ms)\n")
    }
    switch record.result {
    case .success(let link):
      err.append("  => ")
      err.append(link.platform)
      err.append(" ")
      err.append(link.kind.rawValue)
      err.append(" ")
      err.append(link.id)
      err.append(" by ")
      err.append(link.handler)
      if let parser = link.parser {
        err.append(" (id read by ")
        err.append(parser)
        err.append(")")
      }
      if link.cached { err.append(" [cached]") }
      err.append(UInt8(ascii: "\n"))
    case .failure(let error):
      err.append("  => error ")
      err.append(error.code.rawValue)
      err.append(": ")
      err.append(error.message)
      err.append(UInt8(ascii: "\n"))
    }
  }
}
