/// Runs one input through the registry's candidates and records what every handler did.
///
/// **Precedence (in one sentence):** candidates are tried in the registry's order and the first
/// success wins; when none succeeds, the last failure decides the record's error, else the last
/// skip's error, else `unsupported`.
///
/// Finding the link: the chain extracts links from the input (see ``LinkExtractor``) and takes the
/// first one the registry recognizes; when no link is recognized the first link found is reported
/// as `unsupported`, and when there is none the input is `no_link`.
///
/// A chain is a value and `Sendable`: one instance may serve any number of concurrent calls.
public struct FallbackChain: Sendable {
  /// The handlers this chain routes to.
  public var registry: NormalizerRegistry
  /// When true, handlers that need the network are skipped (recorded as `skipped`, `needs_network`).
  public var offline: Bool
  /// Clock used to time attempts.
  private let clock = ContinuousClock()

  public init(registry: NormalizerRegistry, offline: Bool = false) {
    self.registry = registry
    self.offline = offline
  }

  /// The link in `input` that the chain would normalize: the first the registry recognizes, else
  /// the first link found at all (then ``Found/recognized`` is false), else nil.
  public func findLink(in input: String) -> Found? {
    var first: ParsedLink? = nil
    var chosen: ParsedLink? = nil
    let registry = self.registry
    LinkExtractor.forEachLink(in: input, isKnownHost: { registry.routes(host: $0) }) { link in
      if first == nil { first = link }
      if registry.recognizes(link) {
        chosen = link
        return false
      }
      return true
    }
    if let chosen { return Found(link: chosen, recognized: true) }
    if let first { return Found(link: first, recognized: false) }
    return nil
  }

  /// A link found in an input, and whether a registered handler takes it.
  public struct Found: Sendable {
    public var link: ParsedLink
    public var recognized: Bool
  }

  /// Dry run: the handlers that would be tried for `input`, in order (empty when none would).
  public func plan(for input: String) -> (link: ParsedLink?, handlers: [NormalizerRegistry.Entry]) {
    guard let found = findLink(in: input) else { return (nil, []) }
    return (found.link, registry.candidates(for: found.link))
  }

  /// Normalizes one input. Never throws: every outcome, success or error, is in the record.
  public func normalize(_ input: String) async -> NormalizationRecord {
    await run(prepare(input))
  }

  /// An input with its link found and its candidates routed, ready to ``run(_:)``. Preparing is
  /// synchronous and local; it lets a caller decide how to schedule inputs that need the network.
  public struct PreparedInput: Sendable {
    public var input: String
    /// The link chosen from the input, nil when it holds none.
    public var link: ParsedLink?
    /// The handlers that will be tried, in order.
    public var candidates: [NormalizerRegistry.Entry]
    /// Whether running may make remote calls (some candidate needs the network and the chain is
    /// not offline).
    public var needsNetwork: Bool
  }

  /// Finds the link in `input` and routes it (see ``PreparedInput``).
  public func prepare(_ input: String) -> PreparedInput {
    guard let found = findLink(in: input) else {
      return PreparedInput(input: input, link: nil, candidates: [], needsNetwork: false)
    }
    let candidates = registry.candidates(for: found.link)
    let network = !offline && candidates.contains { $0.normalizer.requiresNetwork }
    return PreparedInput(input: input, link: found.link, candidates: candidates, needsNetwork: network)
  }

  /// Normalizes an already-extracted link; `input` is recorded as given.
  public func normalize(link: ParsedLink, input: String) async -> NormalizationRecord {
    let candidates = registry.candidates(for: link)
    let network = !offline && candidates.contains { $0.normalizer.requiresNetwork }
    return await run(PreparedInput(input: input, link: link, candidates: candidates, needsNetwork: network))
  }

  /// Runs a prepared input through its candidates.
  public func run(_ prepared: PreparedInput) async -> NormalizationRecord {
    let input = prepared.input
    let candidates = prepared.candidates
    guard let link = prepared.link else {
      return NormalizationRecord(
        input: input, url: nil,
        result: .failure(NormalizationError(.noLink, "no link found in the input")), attempts: [])
    }
    guard !candidates.isEmpty else {
      let message = registry.routes(host: link.host)
        ? "no handler recognizes this \(link.host) URL (no id in it)"
        : "no registered platform recognizes the host \(link.host)"
      return NormalizationRecord(
        input: input, url: link.text, result: .failure(NormalizationError(.unsupported, message)), attempts: [])
    }
    var attempts: [Attempt] = []
    attempts.reserveCapacity(candidates.count)
    var lastFailure: NormalizationError? = nil
    var lastSkip: NormalizationError? = nil
    var declines: [String] = []
    for entry in candidates {
      let handler = entry.normalizer
      if offline && handler.requiresNetwork {
        let error = NormalizationError(.needsNetwork, "offline: \(handler.name) needs the network")
        attempts.append(Attempt(handler: handler.name, outcome: .skipped, error: error))
        lastSkip = error
        continue
      }
      var context = NormalizationContext(offline: offline)
      let started = clock.now
      let outcome: NormalizerOutcome
      do throws(NormalizationError) {
        outcome = try await handler.normalize(link, context: &context)
      } catch {
        attempts.append(contentsOf: context.recordedTries)
        attempts.append(Attempt(handler: handler.name, outcome: .failed, error: error, duration: clock.now - started))
        lastFailure = error
        continue
      }
      let elapsed = clock.now - started
      attempts.append(contentsOf: context.recordedTries)
      switch outcome {
      case .normalized(var result):
        if result.handler.isEmpty { result.handler = handler.name }
        attempts.append(Attempt(handler: handler.name, outcome: .succeeded, note: result.remark, duration: elapsed))
        return NormalizationRecord(input: input, url: link.text, result: .success(result), attempts: attempts)
      case .declined(let reason):
        attempts.append(Attempt(handler: handler.name, outcome: .declined, note: reason, duration: elapsed))
        declines.append(reason)
      case .skipped(let error):
        attempts.append(Attempt(handler: handler.name, outcome: .skipped, error: error, duration: elapsed))
        lastSkip = error
      }
    }
    let error =
      lastFailure ?? lastSkip
      ?? NormalizationError(.unsupported, declines.last.map { "not recognized: \($0)" } ?? "not recognized")
    return NormalizationRecord(input: input, url: link.text, result: .failure(error), attempts: attempts)
  }
}
