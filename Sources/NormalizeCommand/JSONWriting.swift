/// Hand-written JSON output (no Foundation): the per-record cost is a few hundred nanoseconds,
/// where `JSONEncoder` costs microseconds.
extension ByteSink {
  /// Appends `text` as a JSON string literal with the mandatory escapes (`"`, `\`, control
  /// characters); everything else, non-ASCII included, is written as UTF-8.
  func appendJSONString<S: StringProtocol>(_ text: S) {
    append(UInt8(ascii: "\""))
    let done: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in appendEscaped(bytes) }
    if done == nil {
      let bytes = Array(text.utf8)
      bytes.withUnsafeBufferPointer { appendEscaped($0) }
    }
    append(UInt8(ascii: "\""))
  }

  private func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
      var runStart = 0
      for i in 0..<bytes.count {
        let c = bytes[i]
        guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
        if i > runStart { append(UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
        append(UInt8(ascii: "\\"))
        switch c {
        case UInt8(ascii: "\""): append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): append(UInt8(ascii: "\\"))
        case 0x0A: append(UInt8(ascii: "n"))
        case 0x0D: append(UInt8(ascii: "r"))
        case 0x09: append(UInt8(ascii: "t"))
        default:
          append("u00")
          append(hexDigit(c >> 4))
          append(hexDigit(c & 0xF))
        }
        runStart = i + 1
      }
    if runStart < bytes.count { append(UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count])) }
  }

  /// Appends a JSON string, or `null` for nil.
  func appendJSONStringOrNull<S: StringProtocol>(_ text: S?) {
    if let text { appendJSONString(text) } else { append("null") }
  }

  /// Appends `"name":` (name must need no escaping).
  @inline(__always) func appendKey(_ name: StaticString) {
    append(UInt8(ascii: "\""))
    append(name)
    append("\":")
  }

  func appendKey(_ name: String) {
    appendJSONString(name)
    append(UInt8(ascii: ":"))
  }

  /// Appends a non-negative integer.
  func appendInteger(_ value: Int) {
    if value < 0 {
      append(UInt8(ascii: "-"))
      appendInteger(-value)
      return
    }
    if value >= 10 { appendInteger(value / 10) }
    append(UInt8(ascii: "0") + UInt8(value % 10))
  }

  /// Appends milliseconds with three decimals (microsecond resolution).
  func appendMilliseconds(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    let micros = max(0, Int(seconds) * 1_000_000 + Int(attoseconds / 1_000_000_000_000))
    appendInteger(micros / 1_000)
    append(UInt8(ascii: "."))
    let fraction = micros % 1_000
    append(UInt8(ascii: "0") + UInt8(fraction / 100))
    append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
    append(UInt8(ascii: "0") + UInt8(fraction % 10))
  }

  @inline(__always) private func hexDigit(_ v: UInt8) -> UInt8 {
    v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10
  }
}
