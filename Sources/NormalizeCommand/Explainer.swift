import LinkNormalizerCore

/// The human-readable attempt trail for `--explain`, written to stderr.
enum Explainer {
  static func write(_ record: NormalizationRecord, index: Int, to err: ByteSink) {
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
