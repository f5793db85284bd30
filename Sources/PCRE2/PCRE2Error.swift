import CPCRE2

/// Errors from compiling or running a ``PCRE2Pattern``.
public enum PCRE2Error: Error, Sendable, Hashable, CustomStringConvertible {
  /// The pattern did not compile. `message` is PCRE2's own text; `offset` is the UTF-8 byte
  /// offset in `pattern` where PCRE2 stopped.
  case compile(message: String, offset: Int, pattern: String)
  /// The pattern has more capturing groups than ``PCRE2Pattern/maximumCaptureGroups``.
  case tooManyCaptureGroups(Int)
  /// A match hit the match, depth, heap or JIT stack limit (PCRE2's negative error code).
  case matchLimitExceeded(code: Int)
  /// PCRE2 could not allocate memory.
  case outOfMemory

  public var description: String {
    switch self {
    case .compile(let message, let offset, let pattern):
      return "PCRE2 compile error at offset \(offset) in \(pattern): \(message)"
    case .tooManyCaptureGroups(let count):
      return "pattern has \(count) capturing groups; at most \(PCRE2Pattern.maximumCaptureGroups) are supported"
    case .matchLimitExceeded(let code):
      return "PCRE2 match stopped by a resource limit: \(PCRE2Error.message(for: Int32(code)))"
    case .outOfMemory:
      return "PCRE2 could not allocate memory"
    }
  }

  /// PCRE2's text for an error code.
  static func message(for code: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 256)
    let length = buffer.withUnsafeMutableBufferPointer { lnp_error_message(code, $0.baseAddress, $0.count) }
    guard length > 0 else { return "PCRE2 error \(code)" }
    return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
  }
}
