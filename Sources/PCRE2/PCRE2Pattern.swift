import CPCRE2

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A compiled PCRE2 pattern (UTF mode, JIT-compiled where the platform supports it).
///
/// Compile once and share: an instance is immutable after `init` and is safe to use from any number
/// of threads and tasks at the same time (PCRE2 only reads compiled code and match contexts while
/// matching; per-match scratch space is per thread).
///
/// Matching never copies the subject: it reads the string's UTF-8 storage directly and skips PCRE2's
/// UTF validity check, which is sound because Swift strings are always valid UTF-8.
///
/// Every match runs under a match limit and a depth limit (see ``Limits``), so no subject can make a
/// match run unboundedly; hitting a limit is reported as ``PCRE2Error/matchLimitExceeded(code:)``,
/// never as a hang or a crash.
public final class PCRE2Pattern: Sendable, CustomStringConvertible {
  /// Resource bounds applied to every match of a pattern.
  public struct Limits: Sendable, Hashable {
    /// Maximum number of internal backtracking steps (PCRE2 `match_limit`).
    public var matchLimit: UInt32
    /// Maximum backtracking depth for the interpreter (PCRE2 `depth_limit`); the JIT uses its
    /// own bounded stack instead and reports exhaustion as an error.
    public var depthLimit: UInt32
    /// Maximum heap used by the interpreter, in KiB (PCRE2 `heap_limit`).
    public var heapLimitKiB: UInt32

    /// Limits generous enough for any link pattern and small enough to stop catastrophic
    /// backtracking within milliseconds: 100,000 steps, depth 1,000, 4 MiB heap.
    public static let `default` = Limits(matchLimit: 100_000, depthLimit: 1_000, heapLimitKiB: 4_096)

    public init(matchLimit: UInt32, depthLimit: UInt32, heapLimitKiB: UInt32) {
      self.matchLimit = matchLimit
      self.depthLimit = depthLimit
      self.heapLimitKiB = heapLimitKiB
    }
  }

  /// Compile options beyond the always-on UTF mode.
  public struct Options: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Case-insensitive matching (`(?i)`).
    public static let caseInsensitive = Options(rawValue: LNP_CASELESS)
    /// The match must start at the start of the subject.
    public static let anchored = Options(rawValue: LNP_ANCHORED)
    /// Allow several groups with the same name (`(?J)`); a name then reports its first set group.
    public static let duplicateNames = Options(rawValue: LNP_DUPNAMES)
  }

  /// The pattern source as given to `init`.
  public let pattern: String
  /// Whether matching runs JIT-compiled code (false where PCRE2 was built without JIT or JIT
  /// compilation failed, in which case the interpreter is used with the same results).
  public let isJITCompiled: Bool
  /// Named groups and their group numbers, in the order PCRE2 lists them (by name).
  public let namedGroups: [(name: String, number: Int)]
  /// Number of capturing groups, not counting group 0 (the whole match).
  public let captureCount: Int
  /// The limits every match of this pattern runs under.
  public let limits: Limits

  // Raw pointers are only read after init; `deinit` frees them. Safe to share (see type doc).
  nonisolated(unsafe) private let code: OpaquePointer
  nonisolated(unsafe) private let matchContext: OpaquePointer

  /// Compiles `pattern` in UTF mode and JIT-compiles it when possible.
  ///
  /// - Throws: ``PCRE2Error/compile(message:offset:pattern:)`` with PCRE2's message and the byte
  ///   offset in the pattern where compilation failed;
  ///   ``PCRE2Error/tooManyCaptureGroups(_:)`` when the pattern has more than
  ///   ``maximumCaptureGroups`` groups.
  public init(_ pattern: String, options: Options = [], limits: Limits = .default) throws(PCRE2Error) {
    var errorCode: Int32 = 0
    var errorOffset = 0
    var source = pattern
    let compiled: OpaquePointer? = source.withUTF8 { buffer in
      lnp_compile(buffer.baseAddress ?? emptyByte, buffer.count, LNP_UTF | options.rawValue, &errorCode, &errorOffset)
    }
    guard let compiled else {
      throw PCRE2Error.compile(message: PCRE2Error.message(for: errorCode), offset: errorOffset, pattern: pattern)
    }
    var captures: UInt32 = 0
    _ = lnp_pattern_info(compiled, LNP_INFO_CAPTURECOUNT, &captures)
    guard Int(captures) < PCRE2Pattern.maximumCaptureGroups else {
      lnp_code_free(compiled)
      throw PCRE2Error.tooManyCaptureGroups(Int(captures))
    }
    let jit = lnp_jit_available() != 0 && lnp_jit_compile(compiled, LNP_JIT_COMPLETE) == 0
    guard let context = lnp_match_context_create() else {
      lnp_code_free(compiled)
      throw PCRE2Error.outOfMemory
    }
    _ = lnp_set_match_limit(context, limits.matchLimit)
    _ = lnp_set_depth_limit(context, limits.depthLimit)
    _ = lnp_set_heap_limit(context, limits.heapLimitKiB)

    self.pattern = pattern
    self.code = compiled
    self.matchContext = context
    self.isJITCompiled = jit
    self.captureCount = Int(captures)
    self.limits = limits
    self.namedGroups = PCRE2Pattern.readNameTable(compiled)
  }

  deinit {
    lnp_match_context_free(matchContext)
    lnp_code_free(code)
  }

  /// The largest number of capturing groups a pattern may have (scratch space is sized for it).
  public static let maximumCaptureGroups = 63

  public var description: String { "PCRE2Pattern(\(pattern))" }

  /// The group number for a named group, or nil when the pattern has no group of that name.
  public func groupNumber(named name: String) -> Int? {
    for entry in namedGroups where entry.name == name { return entry.number }
    return nil
  }

  /// Whether the pattern matches anywhere in `subject`.
  /// - Throws: ``PCRE2Error/matchLimitExceeded(code:)`` when the match hits a resource limit.
  public func matches(_ subject: String) throws(PCRE2Error) -> Bool {
    var copy = subject
    return try copy.withUTF8 { buffer in Result { () throws(PCRE2Error) in try self.match(buffer, into: nil) } }.get()
  }

  /// The first match in `subject`, with its captures as substrings of `subject`, or nil.
  /// - Throws: ``PCRE2Error/matchLimitExceeded(code:)`` when the match hits a resource limit.
  public func firstMatch(in subject: String) throws(PCRE2Error) -> PCRE2Match? {
    try firstMatch(in: Substring(subject))
  }

  /// The first match in `subject`, with its captures as substrings of `subject`'s base string.
  /// - Throws: ``PCRE2Error/matchLimitExceeded(code:)`` when the match hits a resource limit.
  public func firstMatch(in subject: Substring) throws(PCRE2Error) -> PCRE2Match? {
    var copy = subject
    var offsets = [Int](repeating: -1, count: 2 * (captureCount + 1))
    let matched = try copy.withUTF8 { buffer in
      offsets.withUnsafeMutableBufferPointer { out in
        Result { () throws(PCRE2Error) in try self.match(buffer, into: out) }
      }
    }.get()
    guard matched else { return nil }
    return PCRE2Match(subject: subject, byteOffsets: offsets, pattern: self)
  }

  /// Low-level match over UTF-8 bytes that must be valid UTF-8 (not checked).
  ///
  /// On success, when `offsets` is non-nil, writes up to `offsets.count / 2` (start, end) byte
  /// offset pairs relative to `buffer`, group 0 first; an unset group is written as (-1, -1).
  /// - Throws: ``PCRE2Error/matchLimitExceeded(code:)`` when the match hits a resource limit.
  public func match(
    _ buffer: UnsafeBufferPointer<UInt8>, into offsets: UnsafeMutableBufferPointer<Int>?
  ) throws(PCRE2Error) -> Bool {
    let data = MatchScratch.current()
    let subject = buffer.baseAddress ?? emptyByte
    let rc: Int32
    if isJITCompiled {
      rc = lnp_jit_match(code, subject, buffer.count, 0, 0, data, matchContext)
    } else {
      rc = lnp_match(code, subject, buffer.count, 0, LNP_NO_UTF_CHECK, data, matchContext)
    }
    if rc == LNP_ERROR_NOMATCH { return false }
    if rc < 0 { throw PCRE2Error.matchLimitExceeded(code: Int(rc)) }
    if let offsets {
      let vector = lnp_ovector(data)!
      let pairs = min(offsets.count / 2, captureCount + 1)
      for i in 0..<pairs {
        let start = vector[2 * i]
        let end = vector[2 * i + 1]
        // PCRE2_UNSET is SIZE_MAX, which Swift imports as Int -1.
        if start < 0 || start > buffer.count {
          offsets[2 * i] = -1
          offsets[2 * i + 1] = -1
        } else {
          offsets[2 * i] = start
          offsets[2 * i + 1] = end
        }
      }
    }
    return true
  }

  private static func readNameTable(_ code: OpaquePointer) -> [(name: String, number: Int)] {
    var count: UInt32 = 0
    var entrySize: UInt32 = 0
    var table: UnsafePointer<UInt8>? = nil
    _ = lnp_pattern_info(code, LNP_INFO_NAMECOUNT, &count)
    guard count > 0 else { return [] }
    _ = lnp_pattern_info(code, LNP_INFO_NAMEENTRYSIZE, &entrySize)
    _ = lnp_pattern_info(code, LNP_INFO_NAMETABLE, &table)
    guard let table else { return [] }
    var result: [(name: String, number: Int)] = []
    for i in 0..<Int(count) {
      let entry = table + i * Int(entrySize)
      let number = Int(entry[0]) << 8 | Int(entry[1])
      let name = String(cString: entry + 2)
      result.append((name, number))
    }
    return result
  }
}

/// PCRE2 rejects a NULL subject even when its length is 0; this one byte stands in. Never written.
nonisolated(unsafe) private let emptyByte: UnsafePointer<UInt8> = {
  let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
  p.initialize(to: 0)
  return UnsafePointer(p)
}()

/// Per-thread PCRE2 match data sized for ``PCRE2Pattern/maximumCaptureGroups``, created on first
/// use on a thread and freed when the thread exits. A match is synchronous, so no other code can
/// run on the thread while the scratch is in use.
private enum MatchScratch {
  static let key: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { pointer in
      #if canImport(Darwin)
        lnp_match_data_free(OpaquePointer(pointer))
      #else
        if let pointer { lnp_match_data_free(OpaquePointer(pointer)) }
      #endif
    }
    return key
  }()

  @inline(__always)
  static func current() -> OpaquePointer {
    if let existing = pthread_getspecific(key) { return OpaquePointer(existing) }
    guard let data = lnp_match_data_create(UInt32(PCRE2Pattern.maximumCaptureGroups + 1)) else {
      fatalError("PCRE2: out of memory allocating match data")
    }
    pthread_setspecific(key, UnsafeRawPointer(data))
    return data
  }
}
