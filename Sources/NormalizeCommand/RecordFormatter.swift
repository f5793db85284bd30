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

/// Writes records in one of the output formats. One output line per input, always.
struct RecordFormatter {
  let format: OutputFormat

  /// Appends the record for input number `index` (1-based) to `out`.
  func write(_ record: NormalizationRecord, index: Int, to out: ByteSink) {
    switch format {
    case .text:
      if let link = record.link { out.append(link.canonicalURL) }
      out.append(UInt8(ascii: "\n"))
    case .tsv:
      writeTSV(record, index: index, to: out)
    case .jsonl:
      writeJSON(record, to: out)
    }
  }

  private func writeTSV(_ record: NormalizationRecord, index: Int, to out: ByteSink) {
    out.appendInteger(index)
    out.append(UInt8(ascii: "\t"))
    switch record.result {
    case .success(let link):
      out.append("ok\t")
      appendTSVField(link.platform, to: out)
      out.append(UInt8(ascii: "\t"))
      appendTSVField(link.kind.rawValue, to: out)
      out.append(UInt8(ascii: "\t"))
      appendTSVField(link.id, to: out)
      out.append(UInt8(ascii: "\t"))
      appendTSVField(link.canonicalURL, to: out)
      out.append(UInt8(ascii: "\t"))
      appendTSVField(link.handler, to: out)
    case .failure(let error):
      appendTSVField(error.code.rawValue, to: out)
      out.append("\t\t\t\t\t")
    }
    out.append(UInt8(ascii: "\n"))
  }

  /// TSV fields cannot hold tabs or line breaks; they are replaced by spaces (links never hold them).
  private func appendTSVField(_ text: String, to out: ByteSink) {
    if text.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
      out.append(String(text.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 }))
    } else {
      out.append(text)
    }
  }

  private func writeJSON(_ record: NormalizationRecord, to out: ByteSink) {
    out.append("{\"input\":")
    out.appendJSONString(record.input)
    let link = record.link
    out.append(link == nil ? ",\"ok\":false" : ",\"ok\":true")
    out.append(",\"platform\":")
    out.appendJSONStringOrNull(link?.platform)
    out.append(",\"kind\":")
    out.appendJSONStringOrNull(link?.kind.rawValue)
    out.append(",\"id\":")
    out.appendJSONStringOrNull(link?.id)
    out.append(",\"canonical_url\":")
    out.appendJSONStringOrNull(link?.canonicalURL)
    out.append(",\"url\":")
    out.appendJSONStringOrNull(record.url)
    out.append(",\"handler\":")
    out.appendJSONStringOrNull(link?.handler)
    out.append(",\"parser\":")
    out.appendJSONStringOrNull(link?.parser)
    out.append(",\"resolver\":")
    out.appendJSONStringOrNull(link?.resolver)
    out.append(",\"resolved_url\":")
    out.appendJSONStringOrNull(link?.resolvedURL)
    out.append(link?.cached == true ? ",\"cached\":true" : ",\"cached\":false")
    out.append(",\"remark\":")
    out.appendJSONStringOrNull(link?.remark)
    if let link {
      for field in link.identifiers { appendField(field, to: out) }
      for field in link.parameters { appendField(field, to: out) }
    }
    out.append(",\"attempts\":[")
    var first = true
    for attempt in record.attempts {
      if !first { out.append(UInt8(ascii: ",")) }
      first = false
      out.append("{\"handler\":")
      out.appendJSONString(attempt.handler)
      out.append(",\"outcome\":\"")
      out.append(attempt.outcome.rawValue)
      out.append("\",\"error\":")
      out.appendJSONStringOrNull(attempt.error?.code.rawValue)
      if let note = attempt.note ?? attempt.error?.message {
        out.append(",\"note\":")
        out.appendJSONString(note)
      }
      out.append(",\"ms\":")
      out.appendMilliseconds(attempt.duration)
      out.append(UInt8(ascii: "}"))
    }
    out.append("],\"error\":")
    if let error = record.error {
      out.append("{\"code\":")
      out.appendJSONString(error.code.rawValue)
      out.append(",\"message\":")
      out.appendJSONString(error.message)
      for detail in error.details { appendDetail(detail, to: out) }
      out.append("}}\n")
    } else {
      out.append("null}\n")
    }
  }

  private func appendField(_ field: Field, to out: ByteSink) {
    out.append(UInt8(ascii: ","))
    out.appendKey(field.name)
    out.appendJSONString(field.value)
  }

  /// Error details whose value is a plain integer are written as JSON numbers (`api_code`,
  /// `http_status`), others as strings.
  private func appendDetail(_ field: Field, to out: ByteSink) {
    out.append(UInt8(ascii: ","))
    out.appendKey(field.name)
    if isInteger(field.value) { out.append(field.value) } else { out.appendJSONString(field.value) }
  }

  private func isInteger(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty, bytes.count <= 15 else { return false }
    let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
    guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
    return digits.count == 1 || digits.first != 0x30
  }
}
