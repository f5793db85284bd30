#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One input: its 1-based number and its text, or the fact that its line was too long.
struct InputItem: Sendable {
  enum Content: Sendable {
    case text(String)
    /// A line held as bytes of its block's ``InputBytes`` (`\r` already dropped), made into a
    /// string by the worker that normalizes it: a string made and freed on one thread stays in
    /// that thread's allocator cache, where one made by the reader and freed by a worker does not.
    case line(start: Int32, count: Int32)
    /// A line over the limit: its first bytes (for the record) and its full length in bytes.
    case tooLong(prefix: String, length: Int)
  }
  var index: Int
  var content: Content
}

/// Bytes read from standard input, shared by the lines of one block and freed with it.
final class InputBytes: @unchecked Sendable {
  /// Written only by the reader before the block is sent; read-only afterwards.
  let base: UnsafeMutablePointer<UInt8>
  let capacity: Int

  init(capacity: Int) {
    base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    self.capacity = capacity
  }

  deinit { base.deallocate() }

  /// The text of a ``InputItem/Content/line(start:count:)`` item.
  func text(start: Int32, count: Int32) -> String {
    String(decoding: UnsafeBufferPointer(start: base + Int(start), count: Int(count)), as: UTF8.self)
  }
}

/// The inputs one worker takes at a time, and the bytes their `line` items point into.
struct InputBlock: Sendable {
  var bytes: InputBytes?
  var items: [InputItem] = []

  /// The text of `item` (its line's bytes decoded, or its text).
  func text(of item: InputItem) -> String? {
    switch item.content {
    case .text(let text): return text
    case .line(let start, let count): return bytes!.text(start: start, count: count)
    case .tooLong: return nil
    }
  }
}

/// Splits a byte stream into lines with bounded memory.
///
/// Lines end at `\n`; a `\r` before it is dropped; a last line without `\n` still counts. A line
/// longer than `maxLineBytes` is not kept: its first bytes are, and the rest is skipped up to the
/// next `\n`, so memory never grows with a line's length. Bytes that are not valid UTF-8 become
/// U+FFFD in the line's text.
struct LineSplitter {
  let maxLineBytes: Int
  /// How much of an over-long line is kept for its record.
  let keptPrefixBytes = 1_024
  private var partial: [UInt8] = []
  private var overflowLength: Int? = nil
  private(set) var nextIndex: Int

  init(maxLineBytes: Int, firstIndex: Int) {
    self.maxLineBytes = maxLineBytes
    self.nextIndex = firstIndex
  }

  /// Feeds a block of bytes; appends every completed line to `out`. With `shared`, the bytes are
  /// those `out`'s block holds (``InputBlock/bytes``): lines wholly inside them are recorded as
  /// ranges rather than copied.
  mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, shared: Bool = false, into out: inout [InputItem]) {
    var start = 0
    let n = bytes.count
    while start < n {
      guard let newline = memchrIndex(bytes, from: start) else {
        absorb(UnsafeBufferPointer(rebasing: bytes[start..<n]))
        return
      }
      if partial.isEmpty && overflowLength == nil {
        emit(UnsafeBufferPointer(rebasing: bytes[start..<newline]), shared: shared ? start : nil, into: &out)
      } else {
        absorb(UnsafeBufferPointer(rebasing: bytes[start..<newline]))
        finishPartial(into: &out)
      }
      start = newline + 1
    }
  }

  /// Ends the stream: a trailing line without a newline becomes an input.
  mutating func finish(into out: inout [InputItem]) {
    if !partial.isEmpty || overflowLength != nil { finishPartial(into: &out) }
  }

  private mutating func absorb(_ bytes: UnsafeBufferPointer<UInt8>) {
    if let length = overflowLength {
      overflowLength = length + bytes.count
      return
    }
    // +1 leaves room for a '\r' that `emit` drops.
    guard partial.count + bytes.count > maxLineBytes + 1 else {
      partial.append(contentsOf: bytes)
      return
    }
    let total = partial.count + bytes.count
    if partial.count < keptPrefixBytes {
      partial.append(contentsOf: bytes.prefix(keptPrefixBytes - partial.count))
    } else {
      partial.removeSubrange(keptPrefixBytes...)
    }
    overflowLength = total
  }

  private mutating func finishPartial(into out: inout [InputItem]) {
    if let length = overflowLength {
      out.append(InputItem(index: nextIndex, content: .tooLong(prefix: decodePrefix(partial), length: length)))
      nextIndex += 1
    } else {
      partial.withUnsafeBufferPointer { emit($0, shared: nil, into: &out) }
    }
    partial.removeAll(keepingCapacity: partial.capacity <= 1 << 17)
    overflowLength = nil
  }

  /// `shared`: the line's offset in the block's shared bytes, when it lies there.
  private mutating func emit(_ line: UnsafeBufferPointer<UInt8>, shared: Int?, into out: inout [InputItem]) {
    var count = line.count
    if count > 0, line[count - 1] == 0x0D { count -= 1 }
    if count > maxLineBytes {
      let prefix = decodePrefix(Array(line.prefix(keptPrefixBytes)))
      out.append(InputItem(index: nextIndex, content: .tooLong(prefix: prefix, length: count)))
    } else if let start = shared {
      out.append(InputItem(index: nextIndex, content: .line(start: Int32(start), count: Int32(count))))
    } else {
      out.append(
        InputItem(
          index: nextIndex,
          content: .text(String(decoding: UnsafeBufferPointer(rebasing: line[0..<count]), as: UTF8.self))))
    }
    nextIndex += 1
  }

  /// The kept prefix as text, cut back to a whole UTF-8 sequence.
  private func decodePrefix(_ bytes: [UInt8]) -> String {
    var end = min(bytes.count, keptPrefixBytes)
    while end > 0, end < bytes.count, bytes[end] & 0xC0 == 0x80 { end -= 1 }
    return String(decoding: bytes[0..<end], as: UTF8.self)
  }

  @inline(__always) private func memchrIndex(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    guard let base = bytes.baseAddress else { return nil }
    guard let found = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
    return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
  }
}
