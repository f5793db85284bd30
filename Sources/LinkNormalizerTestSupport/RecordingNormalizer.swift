public import LinkNormalizerCore
import Synchronization

/// A test double in the manner of swift-log's recording handler: answers with a fixed outcome for
/// the hosts it serves and records every link it was asked to normalize.
///
/// Thread-safe: calls may come from many tasks at once.
public final class RecordingNormalizer: LinkNormalizer {
  /// What the double does when asked to normalize.
  public enum Behavior: Sendable {
    case succeed(id: String)
    case decline(String)
    case skip(NormalizationError)
    case fail(NormalizationError)
  }

  public let name: String
  public let hosts: Set<String>
  public let requiresNetwork: Bool
  private let behavior: Behavior
  private let acceptsLink: @Sendable (ParsedLink) -> Bool
  private let calls = Mutex<[String]>([])

  public init(
    name: String, hosts: Set<String> = [], requiresNetwork: Bool = false, behavior: Behavior,
    accepts: @escaping @Sendable (ParsedLink) -> Bool = { _ in true }
  ) {
    self.name = name
    self.hosts = hosts
    self.requiresNetwork = requiresNetwork
    self.behavior = behavior
    self.acceptsLink = accepts
  }

  /// The link texts this handler was asked to normalize, in call order.
  public var recordedCalls: [String] { calls.withLock { $0 } }

  public func accepts(_ link: ParsedLink) -> Bool { acceptsLink(link) }

  public func normalize(_ link: ParsedLink, context: inout NormalizationContext) async throws(NormalizationError)
    -> NormalizerOutcome
  {
    calls.withLock { $0.append(link.text) }
    switch behavior {
    case .succeed(let id):
      return .normalized(
        NormalizedLink(platform: "test", kind: "thing", id: id, canonicalURL: "https://\(link.host)/thing/\(id)"))
    case .decline(let reason): return .declined(reason)
    case .skip(let error): return .skipped(error)
    case .fail(let error): throw error
    }
  }
}
