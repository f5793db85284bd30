import LinkNormalizerCore
import Testing

@Suite struct HostTableTests {
  /// Hosts that share length, first and last 8 bytes (so their hashes collide) must still be told
  /// apart, in any case, and absent hosts must not be found.
  @Test func collidingHostsAndAnyCase() {
    var hosts: [String] = []
    for i in 0..<300 {
      let digits = String(i)
      hosts.append("www.sample\(String(repeating: "0", count: 3 - digits.count))\(digits).example.com")  // same ends
    }
    for i in 0..<50 { hosts.append("h\(i).io") }  // shorter than a word
    hosts += ["a", "ab", "x-y.z", "xn--bcher-kva.example"]
    let table = HostTable(hosts.enumerated().map { ($0.element, $0.offset) })
    for (index, host) in hosts.enumerated() {
      #expect(table.value(forHost: host) == index, "\(host)")
      #expect(table.value(forHost: host.uppercased()) == index, "\(host)")
    }
    for absent in ["www.sample300.example.com", "www.sample00.example.com", "h50.io", "abc", "", "x_y.z", "A-"] {
      #expect(table.value(forHost: absent) == nil, "\(absent)")
    }
  }

  @Test func laterPairsReplaceEarlierOnesCaseInsensitively() {
    let table = HostTable([("Example.COM", 1), ("example.com", 2), ("other.com", 3)])
    #expect(table.value(forHost: "EXAMPLE.com") == 2)
    #expect(table.value(forHost: "other.com") == 3)
  }

  /// Every length around the 8-byte steps of the comparison: a host matches in any case at any
  /// position, and one byte changed anywhere (same hash ends or not) is a different host.
  @Test func everyPositionCountsInTheComparison() {
    let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789-.")
    for length in 1...26 {
      let host = String((0..<length).map { letters[($0 * 7 + length) % letters.count] })
      let table = HostTable([(host, 1)])
      #expect(table.value(forHost: host) == 1)
      for position in 0..<length {
        var characters = Array(host)
        characters[position] = Character(characters[position].uppercased())
        #expect(table.value(forHost: String(characters)) == 1, "\(host) upper at \(position)")
        characters[position] = Array(host)[position] == "q" ? "z" : "q"
        #expect(table.value(forHost: String(characters)) == nil, "\(host) changed at \(position)")
      }
    }
  }
}
