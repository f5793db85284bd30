/// The text of a pattern handler's result in one allocation: the id, each kept parameter's name
/// and value, and the canonical URL, as UTF-8, found by byte ranges.
///
/// Why: a result used to need five allocations (three strings, an array and its box), and the
/// batch path makes one result per input. Strings are made from these bytes only when a caller
/// asks for them (``NormalizedLink/id`` and friends); writers read the bytes in place.
///
/// Immutable once made, so safe to share across threads (`ManagedBuffer` cannot be declared
/// `Sendable`; ``NormalizedLink`` vouches for it). The bytes are valid UTF-8.
@usableFromInline final class PackedText: ManagedBuffer<PackedText.Layout, UInt8> {
  @usableFromInline struct Layout: Sendable {
    @usableFromInline var id: Range<Int32>
    @usableFromInline var canonicalURL: Range<Int32>
    /// Parameter `i`'s name and value ranges are the four `Int32` at byte `16 * i` of the bytes.
    @usableFromInline var parameterCount: Int32
  }

  /// Makes a packed text of at most `capacity` bytes. `fill` writes the bytes and returns their
  /// layout; it must not write past `capacity`.
  static func make(capacity: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Layout) -> PackedText {
    let buffer = PackedText.create(minimumCapacity: capacity) { buffer in
      buffer.withUnsafeMutablePointerToElements { fill(UnsafeMutableBufferPointer(start: $0, count: capacity)) }
    }
    return unsafeDowncast(buffer, to: PackedText.self)
  }

  /// Records parameter `index`'s ranges in the table at the start of `bytes`.
  static func setParameter(
    _ index: Int, name: Range<Int>, value: Range<Int>, in bytes: UnsafeMutableBufferPointer<UInt8>
  ) {
    let raw = UnsafeMutableRawPointer(bytes.baseAddress!) + 16 * index
    raw.storeBytes(of: Int32(name.lowerBound), toByteOffset: 0, as: Int32.self)
    raw.storeBytes(of: Int32(name.upperBound), toByteOffset: 4, as: Int32.self)
    raw.storeBytes(of: Int32(value.lowerBound), toByteOffset: 8, as: Int32.self)
    raw.storeBytes(of: Int32(value.upperBound), toByteOffset: 12, as: Int32.self)
  }

  /// The layout, read without the dynamic exclusivity check that reading `header` costs.
  @inlinable var layout: Layout { withUnsafeMutablePointerToHeader { $0.pointee } }

  /// Lends the bytes of `range`.
  @inlinable func withBytes<R>(_ range: Range<Int32>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try withUnsafeMutablePointerToElements { start in
      try body(UnsafeBufferPointer(start: start + Int(range.lowerBound), count: range.count))
    }
  }

  /// Lends the bytes of the range `part` picks from the layout.
  @inlinable func withBytes<R>(
    of part: (Layout) -> Range<Int32>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R
  ) rethrows -> R {
    try withUnsafeMutablePointers { header, start in
      let range = part(header.pointee)
      return try body(UnsafeBufferPointer(start: start + Int(range.lowerBound), count: range.count))
    }
  }

  @usableFromInline func string(_ range: Range<Int32>) -> String {
    withBytes(range) { String(decoding: $0, as: UTF8.self) }
  }

  /// Calls `body` with each parameter's name and value bytes, in order.
  @inlinable func forEachParameter(
    _ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) throws -> Void
  ) rethrows {
    try withUnsafeMutablePointers { header, start in
      let count = Int(header.pointee.parameterCount)
      let raw = UnsafeRawPointer(start)
      for i in 0..<count {
        let nameStart = Int(raw.loadUnaligned(fromByteOffset: 16 * i, as: Int32.self))
        let nameEnd = Int(raw.loadUnaligned(fromByteOffset: 16 * i + 4, as: Int32.self))
        let valueStart = Int(raw.loadUnaligned(fromByteOffset: 16 * i + 8, as: Int32.self))
        let valueEnd = Int(raw.loadUnaligned(fromByteOffset: 16 * i + 12, as: Int32.self))
        try body(
          UnsafeBufferPointer(start: start + nameStart, count: nameEnd - nameStart),
          UnsafeBufferPointer(start: start + valueStart, count: valueEnd - valueStart))
      }
    }
  }

  @usableFromInline var parameters: [Field] {
    var fields: [Field] = []
    fields.reserveCapacity(Int(layout.parameterCount))
    forEachParameter { name, value in
      fields.append(Field(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
    }
    return fields
  }
}
