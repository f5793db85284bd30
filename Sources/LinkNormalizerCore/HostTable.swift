#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An immutable map from host names to values, looked up directly from a link's bytes (lower-cased
/// on the fly) so that routing allocates nothing. Open addressing on an FNV-1a hash.
///
/// Thread-safe to read; built once.
public struct HostTable<Value: Sendable>: Sendable {
  private var keys: [[UInt8]] = []
  private var values: [Value] = []
  private var slots: [Int32] = []
  private var mask = 0

  /// Builds the table; later pairs replace earlier ones with the same (case-insensitive) host.
  public init(_ pairs: [(String, Value)]) {
    var index: [String: Int] = [:]
    for (host, value) in pairs {
      let key = host.lowercased()
      if let existing = index[key] {
        values[existing] = value
      } else {
        index[key] = keys.count
        keys.append(Array(key.utf8))
        values.append(value)
      }
    }
    var capacity = 8
    while capacity < keys.count * 2 { capacity <<= 1 }
    mask = capacity - 1
    slots = [Int32](repeating: -1, count: capacity)
    for (i, key) in keys.enumerated() {
      var slot = key.withUnsafeBufferPointer { HostTable.hash($0) } & mask
      while slots[slot] >= 0 { slot = (slot + 1) & mask }
      slots[slot] = Int32(i)
    }
  }

  /// The value for `host` (compared case-insensitively), or nil.
  public func value(forHost host: String) -> Value? {
    var host = host
    return host.withUTF8 { value(forHostBytes: $0) }
  }

  /// The value for a host given as UTF-8 bytes (compared ASCII-case-insensitively), or nil.
  @inline(__always)
  public func value(forHostBytes host: UnsafeBufferPointer<UInt8>) -> Value? {
    guard !keys.isEmpty else { return nil }
    var slot = HostTable.hash(host) & mask
    while true {
      let entry = Int(slots[slot])
      if entry < 0 { return nil }
      if HostTable.equalsLowercased(keys[entry], host) { return values[entry] }
      slot = (slot + 1) & mask
    }
  }

  @inline(__always)
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for c in bytes {
      let lower = (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
      h = (h ^ UInt64(lower)) &* 0x100_0000_01b3
    }
    return Int(truncatingIfNeeded: h ^ (h >> 29))
  }

  @inline(__always)
  static func equalsLowercased(_ key: [UInt8], _ host: UnsafeBufferPointer<UInt8>) -> Bool {
    guard key.count == host.count else { return false }
    return key.withUnsafeBufferPointer { k in
      for i in 0..<k.count {
        let c = host[i]
        let lower = (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
        if k[i] != lower { return false }
      }
      return true
    }
  }
}
