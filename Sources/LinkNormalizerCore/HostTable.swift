#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An immutable map from host names to values, looked up directly from a link's bytes (lower-cased
/// on the fly) so that routing allocates nothing. Open addressing on a cheap multiplicative hash of
/// the host's ends (see ``hash(_:)``); all keys in one flat byte array, so a lookup touches no reference-counted storage besides the table's own
/// arrays (borrowed, not retained).
///
/// Thread-safe to read; built once.
public struct HostTable<Value: Sendable>: Sendable {
  private var keyBytes: [UInt8] = []
  /// Per key: its start in `keyBytes` (keys are stored back to back, so the end is the next start).
  private var keyStarts: [Int32] = [0]
  private var values: [Value] = []
  private var slots: [Int32] = []
  private var mask = 0

  /// Builds the table; later pairs replace earlier ones with the same (case-insensitive) host.
  public init(_ pairs: [(String, Value)]) {
    var index: [String: Int] = [:]
    var keys: [String] = []
    for (host, value) in pairs {
      let key = host.lowercased()
      if let existing = index[key] {
        values[existing] = value
      } else {
        index[key] = keys.count
        keys.append(key)
        values.append(value)
      }
    }
    for key in keys {
      keyBytes.append(contentsOf: key.utf8)
      keyStarts.append(Int32(keyBytes.count))
    }
    var capacity = 8
    while capacity < keys.count * 2 { capacity <<= 1 }
    mask = capacity - 1
    slots = [Int32](repeating: -1, count: capacity)
    for (i, key) in keys.enumerated() {
      var slot = Array(key.utf8).withUnsafeBufferPointer { HostTable.hash($0) } & mask
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
    index(forHostBytes: host).map { values[$0] }
  }

  /// The position of a host's value (`0..<count`, in first-insertion order of distinct hosts), or
  /// nil when the host is not in the table.
  @inline(__always)
  public func index(forHostBytes host: UnsafeBufferPointer<UInt8>) -> Int? {
    guard !values.isEmpty else { return nil }
    let hash = HostTable.hash(host)
    return slots.withUnsafeBufferPointer { slots in
      keyStarts.withUnsafeBufferPointer { starts in
        keyBytes.withUnsafeBufferPointer { bytes in
          var slot = hash & mask
          while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            let start = Int(starts[entry])
            let key = UnsafeBufferPointer(rebasing: bytes[start..<Int(starts[entry + 1])])
            if HostTable.equalsLowercased(key, host) { return entry }
            slot = (slot + 1) & mask
          }
        }
      }
    }
  }

  /// A cheap hash of a host, the same for any ASCII case: its length and its first and last 8
  /// bytes (fewer read whole), with bit 0x20 set in every byte. Setting that bit folds upper-case
  /// letters onto lower-case; it also folds a few other pairs together, which only costs a key
  /// comparison (`equalsLowercased` decides).
  @inline(__always)
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    let n = bytes.count
    let fold: UInt64 = 0x2020_2020_2020_2020
    var head: UInt64 = 0
    var tail: UInt64 = 0
    if let base = bytes.baseAddress {
      let raw = UnsafeRawPointer(base)
      if n >= 8 {
        head = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) | fold
        tail = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) | fold
      } else {
        for i in 0..<n { head = head << 8 | UInt64(base[i] | 0x20) }
      }
    }
    var h = (head &* 0x9E37_79B9_7F4A_7C15) ^ (tail &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(n)
    h ^= h >> 29
    return Int(truncatingIfNeeded: h)
  }

  /// Whether `host`, lower-cased, equals `key` (lower-case already): 8 bytes per step, the last
  /// step overlapping the one before when the length is not a multiple of 8.
  @inline(__always)
  static func equalsLowercased(_ key: UnsafeBufferPointer<UInt8>, _ host: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = key.count
    guard n == host.count else { return false }
    guard n >= 8, let k = key.baseAddress, let h = host.baseAddress else {
      for i in 0..<n where key[i] != ASCII.lowercased(host[i]) { return false }
      return true
    }
    let keyWords = UnsafeRawPointer(k)
    let hostWords = UnsafeRawPointer(h)
    @inline(__always) func same(_ offset: Int) -> Bool {
      keyWords.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        == ASCII.lowercased(hostWords.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    var i = 0
    while i &+ 8 <= n {
      if !same(i) { return false }
      i &+= 8
    }
    return i == n || same(n &- 8)
  }
}
