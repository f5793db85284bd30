import LinkNormalizerCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A growable byte buffer for output, written through a raw pointer.
///
/// A value type with manual storage: exactly one owner, passed `inout`, and released with
/// ``release()`` (or handed over to a ``ByteBlock``). Appends cost a bounds check and a
/// `memcpy`; JSON escaping scans with a lookup table. This is what keeps formatting at a few
/// hundred nanoseconds per record.
struct OutputBuffer {
  private(set) var base: UnsafeMutablePointer<UInt8>
  private(set) var count = 0
  private(set) var capacity: Int

  init(capacity: Int = 1 << 12) {
    (base, self.capacity) = BufferPool.shared.take(atLeast: max(64, capacity))
  }

  /// Returns the storage to the pool; the buffer must not be used afterwards.
  func release() { BufferPool.shared.give(base, capacity: capacity) }

  var isEmpty: Bool { count == 0 }

  mutating func removeAll() { count = 0 }

  @inline(__always)
  mutating func reserve(_ extra: Int) {
    if count + extra > capacity { grow(count + extra) }
  }

  private mutating func grow(_ needed: Int) {
    var newCapacity = capacity * 2
    while newCapacity < needed { newCapacity *= 2 }
    let (newBase, granted) = BufferPool.shared.take(atLeast: newCapacity)
    newBase.update(from: base, count: count)
    BufferPool.shared.give(base, capacity: capacity)
    base = newBase
    capacity = granted
  }

  @inline(__always)
  mutating func append(_ byte: UInt8) {
    reserve(1)
    base[count] = byte
    count += 1
  }

  @inline(__always)
  mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let source = bytes.baseAddress, bytes.count > 0 else { return }
    reserve(bytes.count)
    (base + count).update(from: source, count: bytes.count)
    count += bytes.count
  }

  @inline(__always)
  mutating func append(_ literal: StaticString) {
    append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
  }

  @inline(__always)
  mutating func append(_ string: String) {
    withUTF8Bytes(of: string) { append($0) }
  }

  mutating func appendInteger(_ value: Int) {
    if value < 0 {
      append(UInt8(ascii: "-"))
      appendInteger(0 - value)
      return
    }
    var digits:
      (
        UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
        UInt8, UInt8, UInt8, UInt8
      ) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var v = value
    var n = 0
    withUnsafeMutableBytes(of: &digits) { d in
      repeat {
        d[19 - n] = UInt8(ascii: "0") + UInt8(v % 10)
        v /= 10
        n += 1
      } while v > 0
      append(UnsafeBufferPointer(rebasing: d.bindMemory(to: UInt8.self)[(20 - n)...]))
    }
  }

  /// Milliseconds with three decimals (microsecond resolution).
  mutating func appendMilliseconds(_ duration: Duration) {
    // Attempts last well under 9 s, whose attoseconds fit in 64 bits: divide in 64 bits then
    // (`components` always divides 128-bit numbers).
    let attoseconds = duration.attoseconds
    let micros: Int
    if attoseconds >= 0, attoseconds <= Int128(Int64.max) {
      micros = Int(Int64(attoseconds) / 1_000_000_000_000)
    } else {
      let (seconds, fraction) = duration.components
      micros = max(0, Int(seconds) * 1_000_000 + Int(fraction / 1_000_000_000_000))
    }
    let whole = micros / 1_000
    if whole < 10 {
      // The usual case (under 10 ms): one digit, written with the fraction.
      reserve(5)
      base[count] = UInt8(ascii: "0") + UInt8(whole)
      base[count + 1] = UInt8(ascii: ".")
      count += 2
    } else {
      appendInteger(whole)
      append(UInt8(ascii: "."))
      reserve(3)
    }
    let fraction = micros % 1_000
    base[count] = UInt8(ascii: "0") + UInt8(fraction / 100)
    base[count + 1] = UInt8(ascii: "0") + UInt8(fraction / 10 % 10)
    base[count + 2] = UInt8(ascii: "0") + UInt8(fraction % 10)
    count += 3
  }

  // MARK: JSON

  /// Appends `text` as a JSON string literal with the mandatory escapes (`"`, `\`, control
  /// characters as `\n`, `\r`, `\t` or `\u00XX`); everything else, non-ASCII included, as UTF-8.
  @inline(__always)
  mutating func appendJSONString(_ text: String) {
    // Small strings (names of platforms, kinds, handlers) in two word operations: check the
    // string's own 16 bytes at once and store them whole, keeping only its length.
    if let (a, b, n) = smallStringWords(of: text) {
      let kept: (UInt64, UInt64) =
        n >= 8 ? (~0, n == 8 ? 0 : ~0 >> (8 * (16 - UInt64(n)))) : (n == 0 ? 0 : ~0 >> (8 * (8 - UInt64(n))), 0)
      if OutputBuffer.escapeBits(a) & kept.0 | OutputBuffer.escapeBits(b) & kept.1 == 0 {
        reserve(18)
        let raw = UnsafeMutableRawPointer(base + count)
        raw.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        raw.storeBytes(of: a.littleEndian, toByteOffset: 1, as: UInt64.self)
        raw.storeBytes(of: b.littleEndian, toByteOffset: 9, as: UInt64.self)
        raw.storeBytes(of: UInt8(ascii: "\""), toByteOffset: 1 + n, as: UInt8.self)
        count += n + 2
        return
      }
    }
    withUTF8Bytes(of: text) { appendJSONString(bytes: $0) }
  }

  /// Appends `bytes` between quotes as they are: only for text known to need no JSON escaping.
  @inline(__always)
  mutating func appendQuoted(bytes: UnsafeBufferPointer<UInt8>) {
    reserve(bytes.count + 2)
    base[count] = UInt8(ascii: "\"")
    count += 1
    if let source = bytes.baseAddress, bytes.count > 0 {
      (base + count).update(from: source, count: bytes.count)
      count += bytes.count
    }
    base[count] = UInt8(ascii: "\"")
    count += 1
  }

  /// ``appendQuoted(bytes:)`` for a string known to need no JSON escaping.
  @inline(__always)
  mutating func appendQuoted(_ text: String) {
    withUTF8Bytes(of: text) { appendQuoted(bytes: $0) }
  }

  mutating func appendJSONStringOrNull(_ text: String?) {
    if let text { appendJSONString(text) } else { append("null") }
  }

  mutating func appendJSONString(bytes: UnsafeBufferPointer<UInt8>) {
    let n = bytes.count
    reserve(n + 2)
    // 4 to 16 bytes (names, short values, ids): two overlapping words cover them; when neither
    // needs escaping, they are stored as they are, without a loop or a call.
    if n >= 4, n <= 16, let source = bytes.baseAddress {
      if n >= 8 ? appendQuotedWords(source, n, as: UInt64.self) : appendQuotedWords(source, n, as: UInt32.self) {
        return
      }
    }
    base[count] = UInt8(ascii: "\"")
    count += 1
    guard let source = bytes.baseAddress, n > 0 else {
      base[count] = UInt8(ascii: "\"")
      count += 1
      return
    }
    // The common case is text that needs no escaping: find the clean prefix a word or two at a
    // time (SWAR: no byte < 0x20, '"' or '\\'), copy it in one go, and escape from the first
    // byte that needs it.
    let raw = UnsafeRawPointer(source)
    @inline(__always) func word(_ at: Int) -> UInt64 {
      UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }
    var clean = 0
    while clean + 16 <= n, !OutputBuffer.needsEscape(word(clean), word(clean + 8)) { clean += 16 }
    if clean + 8 <= n, !OutputBuffer.needsEscape(word(clean)) { clean += 8 }
    // Fewer than 8 bytes left: the last 8 bytes overlap clean ones, so one check settles them.
    if clean < n, n - clean <= 8, n >= 8, !OutputBuffer.needsEscape(word(n - 8)) { clean = n }
    while clean < n, !OutputBuffer.needsEscape(byte: source[clean]) { clean += 1 }
    (base + count).update(from: source, count: clean)
    count += clean
    if clean < n { appendEscaped(UnsafeBufferPointer(rebasing: bytes[clean...])) }
    base[count] = UInt8(ascii: "\"")
    count += 1
  }

  /// Appends `bytes` as a TSV field: tabs, line feeds and carriage returns become spaces. Copied
  /// whole, then only 8-byte words holding a control byte are looked at byte by byte.
  mutating func appendTSVField(bytes: UnsafeBufferPointer<UInt8>) {
    let start = count
    append(bytes)
    let n = bytes.count
    guard n > 0 else { return }
    let written = base + start
    let raw = UnsafeRawPointer(written)
    let ones: UInt64 = 0x0101_0101_0101_0101
    var i = 0
    while i < n {
      if i + 8 <= n {
        let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        // No byte below 0x20 in this word (bytes >= 0x80 are never below it): nothing to replace.
        if (word &- ones &* 0x20) & ~word & (ones &* 0x80) == 0 {
          i += 8
          continue
        }
      }
      let end = min(i + 8, n)
      while i < end {
        let c = written[i]
        if c == 0x09 || c == 0x0A || c == 0x0D { written[i] = UInt8(ascii: " ") }
        i += 1
      }
    }
  }

  /// Writes the `n` bytes at `source` quoted, as a first and a last word of type `W` (which
  /// overlap when `n < 2 * W.size`; `W.size <= n <= 2 * W.size`), when neither word holds a byte
  /// that needs escaping; false (nothing written) otherwise. Room for `n + 2` bytes is reserved.
  @inline(__always)
  private mutating func appendQuotedWords<W: FixedWidthInteger & UnsignedInteger>(
    _ source: UnsafePointer<UInt8>, _ n: Int, as _: W.Type
  ) -> Bool {
    let raw = UnsafeRawPointer(source)
    let head = raw.loadUnaligned(as: W.self)
    let tail = raw.loadUnaligned(fromByteOffset: n - MemoryLayout<W>.size, as: W.self)
    // Both words in one 64-bit check when they are 4 bytes each.
    let clean =
      MemoryLayout<W>.size == 8
      ? OutputBuffer.escapeBits(UInt64(W(littleEndian: head))) | OutputBuffer.escapeBits(UInt64(W(littleEndian: tail)))
        == 0
      : OutputBuffer.escapeBits(UInt64(W(littleEndian: head)) | UInt64(W(littleEndian: tail)) << 32) == 0
    guard clean else { return false }
    let out = UnsafeMutableRawPointer(base + count)
    out.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
    out.storeBytes(of: head, toByteOffset: 1, as: W.self)
    out.storeBytes(of: tail, toByteOffset: n + 1 - MemoryLayout<W>.size, as: W.self)
    out.storeBytes(of: UInt8(ascii: "\""), toByteOffset: n + 1, as: UInt8.self)
    count += n + 2
    return true
  }

  /// The JSON string body of `bytes` from a byte that needs escaping on (see
  /// ``appendJSONString(bytes:)``); reserves room as it goes (up to 6 bytes per input byte).
  private mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
    var runStart = 0
    let n = bytes.count
    var i = 0
    while i < n {
      let c = bytes[i]
      if !OutputBuffer.needsEscape(byte: c) {
        i += 1
        continue
      }
      if i > runStart { append(UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
      reserve(6)
      base[count] = UInt8(ascii: "\\")
      switch c {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        base[count + 1] = c
        count += 2
      case 0x0A:
        base[count + 1] = UInt8(ascii: "n")
        count += 2
      case 0x0D:
        base[count + 1] = UInt8(ascii: "r")
        count += 2
      case 0x09:
        base[count + 1] = UInt8(ascii: "t")
        count += 2
      default:
        base[count + 1] = UInt8(ascii: "u")
        base[count + 2] = UInt8(ascii: "0")
        base[count + 3] = UInt8(ascii: "0")
        base[count + 4] = hexDigit(c >> 4)
        base[count + 5] = hexDigit(c & 0xF)
        count += 6
      }
      i += 1
      runStart = i
    }
    if runStart < n { append(UnsafeBufferPointer(rebasing: bytes[runStart..<n])) }
    // Room for the closing quote, which the caller writes.
    reserve(1)
  }

  @inline(__always)
  static func needsEscape(byte c: UInt8) -> Bool {
    c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\")
  }

  /// Whether any of the 16 bytes in `a` and `b` is a control character, `"` or `\`. (A byte
  /// >= 0x80 can set a borrow flag in `x - 0x20…` only when a lower byte is itself below 0x20, so
  /// false positives only send a word to the exact byte loop.)
  @inline(__always)
  static func needsEscape(_ a: UInt64, _ b: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let quotes = ones &* 0x22
    let slashes = ones &* 0x5C
    let spaces = ones &* 0x20
    let ma =
      ((a &- spaces) & ~a) | (((a ^ quotes) &- ones) & ~(a ^ quotes)) | (((a ^ slashes) &- ones) & ~(a ^ slashes))
    let mb =
      ((b &- spaces) & ~b) | (((b ^ quotes) &- ones) & ~(b ^ quotes)) | (((b ^ slashes) &- ones) & ~(b ^ slashes))
    return (ma | mb) & highs != 0
  }

  /// 0x80 in each byte of `word` that is a control character, `"` or `\` (and possibly in bytes
  /// above one that is: a borrow can carry; callers treat any set bit as "look closer").
  @inline(__always)
  static func escapeBits(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    @inline(__always) func zeroBytes(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
    return ((word &- ones &* 0x20) & ~word & highs) | zeroBytes(word ^ (ones &* 0x22))
      | zeroBytes(word ^ (ones &* 0x5C))
  }

  /// Whether any of the 8 bytes in `word` is a control character, `"` or `\`.
  @inline(__always)
  static func needsEscape(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    func hasZeroByte(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
    // Bytes below 0x20, ignoring bytes >= 0x80 (which are never below 0x20).
    let below = (word &- ones &* 0x20) & ~word & highs
    return below != 0 || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
  }

  @inline(__always) private func hexDigit(_ v: UInt8) -> UInt8 {
    v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10
  }
}

/// Recycles output storage between blocks. Large buffers come from `mmap` in glibc, so a fresh
/// one per block costs page faults on every page; reusing them keeps the pages warm. Holds at most
/// `limit` buffers (more would only hold memory: the read-ahead window bounds how many are in use);
/// thread-safe.
final class BufferPool: Sendable {
  static let shared = BufferPool()
  /// Storage owned by the pool; handed to exactly one owner at a time.
  private struct Storage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt8>
    let capacity: Int
  }
  private let free = Mutex<[Storage]>([])
  /// Each block holds two buffers (stdout, stderr) from when a worker fills them until the writer
  /// has written them, and up to 16 blocks (the default window) are between reading and writing:
  /// 40 covers them with room for the blocks being filled. (Holding fewer, buffers were freed and
  /// new ones allocated all run long: 10,000 page faults per 200,000 lines instead of 3,000.)
  private let limit = 40

  func take(atLeast capacity: Int) -> (UnsafeMutablePointer<UInt8>, Int) {
    let reused: Storage? = free.withLock { list in
      guard let index = list.lastIndex(where: { $0.capacity >= capacity }) else { return nil }
      return list.remove(at: index)
    }
    if let reused { return (reused.pointer, reused.capacity) }
    return (.allocate(capacity: capacity), capacity)
  }

  func give(_ pointer: UnsafeMutablePointer<UInt8>, capacity: Int) {
    let storage = Storage(pointer: pointer, capacity: capacity)
    let kept = free.withLock { list -> Bool in
      guard list.count < limit else { return false }
      list.append(storage)
      return true
    }
    if !kept { pointer.deallocate() }
  }
}

/// Writes bytes to a file descriptor, retrying on `EINTR` and partial writes. A write that fails
/// (`EPIPE` when the reader went away, as with `normalize … | head`) marks the descriptor closed
/// and later output is dropped quietly.
final class DescriptorWriter {
  let fd: Int32
  private(set) var isClosed = false

  init(fd: Int32) { self.fd = fd }

  func write(_ buffer: UnsafeBufferPointer<UInt8>) {
    guard !isClosed else { return }
    if !DescriptorWriter.writeAll(buffer, to: fd) { isClosed = true }
  }

  func write(_ buffer: OutputBuffer) {
    write(UnsafeBufferPointer(start: buffer.base, count: buffer.count))
  }

  func write(_ text: String) {
    withUTF8Bytes(of: text) { write($0) }
  }

  /// Writes all of `buffer` to `fd`, retrying on `EINTR` and after partial writes; false when a
  /// write fails.
  static func writeAll(_ buffer: UnsafeBufferPointer<UInt8>, to fd: Int32) -> Bool {
    guard let start = buffer.baseAddress else { return true }
    var offset = 0
    while offset < buffer.count {
      let n = systemWrite(fd, start + offset, buffer.count - offset)
      if n > 0 {
        offset += n
      } else if !(n < 0 && errno == EINTR) {
        return false
      }
    }
    return true
  }

  /// A writer for messages from any thread: each message is written whole by one call (one
  /// `write(2)` unless interrupted), so lines never interleave mid-line. Errors are ignored
  /// (these are best-effort warnings).
  struct Shared: Sendable {
    let fd: Int32
    func write(_ text: String) {
      withUTF8Bytes(of: text) { _ = DescriptorWriter.writeAll($0, to: fd) }
    }
  }
}

#if canImport(Glibc)
  private let systemWrite = Glibc.write
#elseif canImport(Darwin)
  private let systemWrite = Darwin.write
#endif
