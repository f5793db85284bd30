import LinkNormalizerCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The figures of a finished run: printed to stderr as a short summary and written by
/// `--stats-json`.
struct RunReport {
  var tally: Tally
  var remoteCalls: [(name: String, count: Int)]
  var cache: ResolutionCacheAccess.Statistics?
  var deduplicated: Int
  var seconds: Double
  var interrupted: Bool

  /// Whether the summary is worth printing: more than one input, or anything remote or cached.
  var isWorthPrinting: Bool {
    tally.inputs > 1 || remoteCalls.contains { $0.count > 0 } || (cache?.hits ?? 0) > 0 || interrupted
  }

  func summaryText() -> String {
    var line = "normalize: \(tally.inputs) input\(tally.inputs == 1 ? "" : "s"): \(tally.normalized) normalized"
    let failed = tally.failed
    if failed > 0 {
      let codes = tally.failuresByCode.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
      line += ", \(failed) failed (" + codes.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
    }
    if interrupted { line += "; interrupted" }
    var second: [String] = []
    if !remoteCalls.isEmpty {
      second.append("remote calls: " + remoteCalls.map { "\($0.name) \($0.count)" }.joined(separator: ", "))
    }
    if let cache {
      second.append(cache.disabled ? "cache off" : "cache hits \(cache.hits)")
    }
    second.append("saved by de-duplication \(deduplicated)")
    second.append(formatSeconds(seconds))
    return line + "\nnormalize: " + second.joined(separator: " · ") + "\n"
  }

  func json() -> String {
    var out = OutputBuffer(capacity: 512)
    defer { out.release() }
    out.append("{\"inputs\":")
    out.appendInteger(tally.inputs)
    out.append(",\"normalized\":")
    out.appendInteger(tally.normalized)
    out.append(",\"failed\":")
    out.appendInteger(tally.failed)
    out.append(",\"failures\":")
    out.appendCounts(tally.failuresByCode.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) })
    out.append(",\"remote_calls\":")
    out.appendCounts(remoteCalls)
    out.append(",\"cache\":")
    if let cache {
      out.appendCounts(
        [("hits", cache.hits), ("misses", cache.misses), ("expired", cache.expired), ("stores", cache.stores)],
        then: cache.disabled ? ",\"disabled\":true" : ",\"disabled\":false")
    } else {
      out.append("null")
    }
    out.append(",\"deduplicated\":")
    out.appendInteger(deduplicated)
    out.append(",\"seconds\":")
    out.appendMilliseconds(.nanoseconds(Int64(seconds * 1e6)))
    out.append(interrupted ? ",\"interrupted\":true}\n" : ",\"interrupted\":false}\n")
    return String(decoding: UnsafeBufferPointer(start: out.base, count: out.count), as: UTF8.self)
  }
}

extension OutputBuffer {
  /// Appends `{"name":count,…}` in the given order, with `then` written before the closing brace.
  mutating func appendCounts(_ counts: [(name: String, count: Int)], then extra: StaticString = "") {
    append(UInt8(ascii: "{"))
    for (i, entry) in counts.enumerated() {
      if i > 0 { append(UInt8(ascii: ",")) }
      appendJSONString(entry.name)
      append(UInt8(ascii: ":"))
      appendInteger(entry.count)
    }
    append(extra)
    append(UInt8(ascii: "}"))
  }
}

func formatSeconds(_ seconds: Double) -> String {
  if seconds < 10 { return String(Double(Int(seconds * 100)) / 100) + " s" }
  if seconds < 3_600 { return "\(Int(seconds) / 60):" + twoDigits(Int(seconds) % 60) }
  return "\(Int(seconds) / 3_600):" + twoDigits(Int(seconds) / 60 % 60) + ":" + twoDigits(Int(seconds) % 60)
}

private func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

/// The single progress line on a terminal's stderr: done (and total when known), rate, ETA,
/// failures so far. Redrawn at most ten times a second, cleared at the end. Only used when stderr
/// is a terminal and plain output was not asked for (`NO_COLOR`, `TERM=dumb`, `--quiet`).
struct ProgressLine {
  private var lastDraw = 0.0
  private var drawn = false
  let started: Double

  init(started: Double) { self.started = started }

  /// Whether a progress line may be shown at all.
  static func allowed(options: Options, environment: [String: String]) -> Bool {
    if options.quiet { return false }
    if let forced = options.progress { return forced && isatty(2) == 1 }
    if environment["NO_COLOR"] != nil || environment["TERM"] == "dumb" { return false }
    return isatty(2) == 1
  }

  /// Redraws the line, unless the run is younger than 0.3 s (short runs never show one) or the
  /// last draw was under 0.1 s ago.
  mutating func draw(done: Int, total: Int?, failed: Int, now: Double, to err: DescriptorWriter) {
    guard now - started > 0.3, now - lastDraw >= 0.1 else { return }
    lastDraw = now
    let elapsed = max(0.001, now - started)
    let rate = Double(done) / elapsed
    var text = "\r\u{1B}[2K" + "normalize: \(done)"
    if let total { text += "/\(total)" }
    text += " done · \(Int(rate))/s"
    if let total, rate > 0, done < total { text += " · ETA " + formatSeconds(Double(total - done) / rate) }
    if failed > 0 { text += " · \(failed) failed" }
    err.write(text)
    drawn = true
  }

  mutating func clear(to err: DescriptorWriter) {
    if drawn { err.write("\r\u{1B}[2K") }
    drawn = false
  }
}
