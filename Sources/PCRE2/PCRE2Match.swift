/// One successful match of a ``PCRE2Pattern``: the captured groups as substrings of the subject.
///
/// Captures share storage with the subject (no copies); convert with `String(_:)` to keep one
/// beyond the subject's lifetime.
public struct PCRE2Match: Sendable {
  /// The string the pattern was matched against.
  public let subject: Substring
  /// (start, end) UTF-8 byte offsets relative to `subject`, group 0 first; -1 for unset groups.
  public let byteOffsets: [Int]
  private let pattern: PCRE2Pattern

  init(subject: Substring, byteOffsets: [Int], pattern: PCRE2Pattern) {
    self.subject = subject
    self.byteOffsets = byteOffsets
    self.pattern = pattern
  }

  /// The whole matched text (group 0).
  public var wholeMatch: Substring { self[0]! }

  /// The text of capturing group `number` (0 is the whole match), or nil when the group did not
  /// take part in the match or does not exist.
  public subscript(number: Int) -> Substring? {
    guard number >= 0, 2 * number + 1 < byteOffsets.count else { return nil }
    let start = byteOffsets[2 * number]
    guard start >= 0 else { return nil }
    let utf8 = subject.utf8
    let lower = utf8.index(utf8.startIndex, offsetBy: start)
    let upper = utf8.index(utf8.startIndex, offsetBy: byteOffsets[2 * number + 1])
    return Substring(utf8[lower..<upper])
  }

  /// The text of the named group, or nil when no group has that name or it did not take part.
  /// With duplicate names, the first group of that name that took part wins.
  public subscript(name: String) -> Substring? {
    for entry in pattern.namedGroups where entry.name == name {
      if let value = self[entry.number] { return value }
    }
    return nil
  }
}
