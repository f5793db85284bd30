/// A credential that never prints itself: `description`, `debugDescription`, string interpolation,
/// `dump` and reflection all show `<redacted>`. Read the value only where it is sent, through
/// ``revealedValue``. A value type; `Sendable`.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  private let value: String

  /// Wraps `value`.
  public init(_ value: String) {
    self.value = value
  }

  /// The secret itself. Use only to send it; never log it or put it in an error.
  public var revealedValue: String { value }

  /// Whether the secret is the empty string.
  public var isEmpty: Bool { value.isEmpty }

  /// Always `<redacted>`.
  public var description: String { "<redacted>" }
  public var debugDescription: String { "<redacted>" }
  public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
