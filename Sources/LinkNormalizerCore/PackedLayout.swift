/// Where a pattern handler's result keeps its text: the id, each kept parameter's field name and
/// value, and the canonical URL, as UTF-8 bytes stored after the fields of the result's box, in
/// the same allocation (see ``NormalizedLink``).
///
/// Why: a result used to need five allocations (three strings, an array and the box), and the batch
/// path makes one result per input. Strings are made from these bytes only when a caller asks for
/// them (``NormalizedLink/id`` and friends); writers read the bytes in place.
///
/// The bytes start with a table of 16 bytes per parameter (its name's and value's start and end
/// offsets, four `Int32`), followed by the text. The text is valid UTF-8.
@usableFromInline struct PackedLayout: Sendable {
  @usableFromInline var id: Range<Int32>
  @usableFromInline var canonicalURL: Range<Int32>
  @usableFromInline var parameterCount: Int32

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

  /// The value range of parameter `index`, from the table at the start of `bytes`.
  static func valueRange(_ index: Int, in bytes: UnsafeMutableBufferPointer<UInt8>) -> Range<Int> {
    let raw = UnsafeRawPointer(bytes.baseAddress!) + 16 * index
    return Int(
      raw.loadUnaligned(fromByteOffset: 8, as: Int32.self))..<Int(
        raw.loadUnaligned(fromByteOffset: 12, as: Int32.self))
  }

  /// Calls `body` with the name and value bytes of the first `count` parameters of the table at
  /// `start` (the start of the packed bytes).
  @inlinable static func forEachParameter(
    at start: UnsafeMutablePointer<UInt8>, count: Int,
    _ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) throws -> Void
  ) rethrows {
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
