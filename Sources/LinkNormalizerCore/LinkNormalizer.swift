/// A handler that turns one recognized link into a ``NormalizedLink``.
///
/// The shape follows swift-log's `LogHandler`: a small protocol that a registry composes. A
/// handler is asked twice: first ``accepts(_:)``, a cheap synchronous test used for routing and for
/// the `--which` dry run, then ``normalize(_:context:)``, which may suspend (remote resolvers) and
/// ends in one of three ways:
/// - returns ``NormalizerOutcome/normalized(_:)``: success, the chain stops here;
/// - returns ``NormalizerOutcome/declined(_:)`` or ``NormalizerOutcome/skipped(_:)``: the chain
///   moves on to the next candidate;
/// - throws a ``NormalizationError``: recorded as a failure, the chain moves on.
///
/// Conformers must be `Sendable`; one instance serves every input of a run, possibly from many
/// tasks at once, so any mutable state must be synchronized by the conformer.
public protocol LinkNormalizer: Sendable {
  /// A stable, unique name shown in provenance and `--which` (e.g. `"acme.url"`). Registering a
  /// second handler with the same name replaces the first.
  var name: String { get }

  /// The exact lower-case hosts this handler serves. The registry routes by this set with one
  /// hash lookup; an empty set means "consult me for every host", which costs one `accepts` call per
  /// input and should be reserved for handlers that truly match on something other than the host.
  var hosts: Set<String> { get }

  /// Whether ``normalize(_:context:)`` makes remote calls. The chain skips such handlers, without
  /// calling them, when ``NormalizationContext/offline`` is set.
  var requiresNetwork: Bool { get }

  /// Cheap, synchronous, side-effect-free test: would this handler try `link`? Must not suspend,
  /// allocate heavily or touch the network; it is called during routing and dry runs.
  func accepts(_ link: ParsedLink) -> Bool

  /// Produces the link's identity, declines, skips, or throws a typed error.
  ///
  /// `context` carries the run's options and lets a handler that retries internally record each
  /// try in the attempt trail (``NormalizationContext/recordTry(_:)``).
  func normalize(_ link: ParsedLink, context: inout NormalizationContext) async throws(NormalizationError)
    -> NormalizerOutcome

  /// The same answer as ``normalize(_:context:)`` computed without suspending, or nil when this
  /// handler can only answer asynchronously (the default). Local handlers implement it so that
  /// batches run on plain threads without async overhead; the chain falls back to the async path
  /// for an input as soon as one of its candidates returns nil here.
  func normalizeSynchronously(_ link: ParsedLink) throws(NormalizationError) -> NormalizerOutcome?

  /// ``accepts(_:)`` and ``normalizeSynchronously(_:)`` in one call, for batch paths that would
  /// otherwise match a link twice: `.notAccepted` exactly when `accepts(link)` is false, else what
  /// `normalizeSynchronously(link)` returns or throws (`.asynchronous` for nil). The default
  /// implementation calls the two in turn; a handler overrides it only to share work between them,
  /// and must then keep both answers identical. Never called for handlers that require the
  /// network.
  func attemptSynchronously(_ link: ParsedLink) -> SynchronousAttempt
}

/// The answer of ``LinkNormalizer/attemptSynchronously(_:)``.
public enum SynchronousAttempt: Sendable {
  /// The handler does not take the link (``LinkNormalizer/accepts(_:)`` is false).
  case notAccepted
  /// The handler takes the link but can only answer through ``LinkNormalizer/normalize(_:context:)``.
  case asynchronous
  /// The handler's synchronous answer: an outcome, or the error it threw.
  case answered(Result<NormalizerOutcome, NormalizationError>)
}

extension LinkNormalizer {
  public var hosts: Set<String> { [] }
  public var requiresNetwork: Bool { false }
  public func normalizeSynchronously(_ link: ParsedLink) throws(NormalizationError) -> NormalizerOutcome? { nil }

  public func attemptSynchronously(_ link: ParsedLink) -> SynchronousAttempt {
    guard accepts(link) else { return .notAccepted }
    do throws(NormalizationError) {
      guard let outcome = try normalizeSynchronously(link) else { return .asynchronous }
      return .answered(.success(outcome))
    } catch {
      return .answered(.failure(error))
    }
  }
}

/// How a handler ended when it did not throw.
public enum NormalizerOutcome: Sendable {
  /// The handler produced the link's identity; the chain stops.
  case normalized(NormalizedLink)
  /// The handler looked at the link and it is not one it can answer (e.g. no id in the path).
  case declined(String)
  /// The handler chose not to run (offline, a resolver that stopped spending, no resolver
  /// configured). The error says why and becomes the record's error when nothing else ran.
  case skipped(NormalizationError)
}

/// What a handler can see of the run it is part of, and where it records intermediate tries.
public struct NormalizationContext: Sendable {
  /// When true, the chain skips every handler with ``LinkNormalizer/requiresNetwork``.
  public var offline: Bool
  /// Tries recorded by the running handler (e.g. one per retry); the chain appends them to the
  /// attempt trail before the handler's own final attempt.
  public internal(set) var recordedTries: [Attempt] = []

  public init(offline: Bool = false) {
    self.offline = offline
  }

  /// Records one intermediate try (e.g. a failed remote call that will be retried).
  public mutating func recordTry(_ attempt: Attempt) {
    recordedTries.append(attempt)
  }
}
