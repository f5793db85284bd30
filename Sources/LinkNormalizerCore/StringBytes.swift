/// Lends the UTF-8 bytes of a string to `body` without copying them and without a
/// reference-count operation, when the string stores them contiguously (every native or literal
/// string; small strings are lent from a 16-byte stack copy). Any other string (a lazily bridged
/// or foreign string, only possible on Apple platforms) is copied once.
///
/// Why this exists: `String.withUTF8` needs a mutable copy and
/// `utf8.withContiguousStorageIfAvailable` builds a view; both retain and release the string's
/// storage, an atomic operation on a cache line that every thread writing records shares. On the
/// batch path that was tens of atomic operations per input.
///
/// This reads the string's two-word representation, which is fixed by the standard library's
/// ABI (`_StringObject`, 64-bit layout): the first word holds the count in its low 48 bits and
/// flags above (bit 60: the bytes are tail-allocated at the storage address plus 32); the second
/// word holds the storage address in its low 60 bits and a discriminator in its top bits (bit 61:
/// a small string, whose count is in bits 56–59 and whose bytes are the two words themselves;
/// bit 60: a foreign string). Platforms with another layout take the copying path.
///
/// The bytes are valid only inside `body`; `string` is borrowed, so its owner keeps them alive.
@inlinable @inline(__always)
package func withUTF8Bytes<R>(of string: borrowing String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows
  -> R
{
  #if _pointerBitWidth(_64) && _endian(little)
    if let (first, second, count) = smallStringWords(of: string) {
      // Small: the bytes are the representation itself.
      var words = (first, second)
      return try withUnsafeBytes(of: &words) { raw in
        try body(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: count))
      }
    }
    let (countAndFlags, object) = withUnsafeBytes(of: string) { raw in
      (raw.load(as: UInt64.self), raw.load(fromByteOffset: 8, as: UInt64.self))
    }
    if object & (1 << 60) == 0, countAndFlags & (1 << 60) != 0,
      let start = UnsafePointer<UInt8>(bitPattern: UInt(object & 0x0FFF_FFFF_FFFF_FFFF) &+ 32)
    {
      return try body(UnsafeBufferPointer(start: start, count: Int(countAndFlags & 0x0000_FFFF_FFFF_FFFF)))
    }
  #endif
  var copy = copy string
  return try copy.withUTF8(body)
}

/// The two words of a small string (at most 15 UTF-8 bytes, stored in the string value itself)
/// and its byte count, or nil for any other string. The bytes are the first `count` bytes of the
/// words in memory order (little-endian); the remaining bytes are not part of the string. See
/// ``withUTF8Bytes(of:_:)`` for the layout this relies on.
@inlinable @inline(__always)
package func smallStringWords(of string: borrowing String) -> (UInt64, UInt64, count: Int)? {
  #if _pointerBitWidth(_64) && _endian(little)
    let (first, second) = withUnsafeBytes(of: string) { raw in
      (raw.load(as: UInt64.self), raw.load(fromByteOffset: 8, as: UInt64.self))
    }
    guard second & (1 << 61) != 0 else { return nil }
    return (first, second, Int((second >> 56) & 0x0F))
  #else
    return nil
  #endif
}

extension StringProtocol {
  /// The text without the leading and trailing characters that `isTrimmed` picks (one trimming
  /// helper for the package: each caller names its own set).
  package func trimming(where isTrimmed: (Character) -> Bool) -> SubSequence {
    var slice = self[...]
    while let first = slice.first, isTrimmed(first) { slice = slice.dropFirst() }
    while let last = slice.last, isTrimmed(last) { slice = slice.dropLast() }
    return slice
  }
}
