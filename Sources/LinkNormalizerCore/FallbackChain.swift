/// Runs one input through the registry's candidates and records what every handler did.
///
/// **Precedence (in one sentence):** candidates are tried in the registry's order and the first
/// success wins; when none succeeds, the last failure decides the record's error, else the last
/// skip's error, else `unsupported` — and a failure marked ``NormalizationError/isFinal`` ends the
/// chain at once.
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

  public init(registry: NormalizerRegistry, offline: Bool = false) {
    self.registry = registry
    self.offline = offline
  }

  /// The link in `input` that the chain would normalize: the first the registry recognizes (with
  /// its candidates), else the first link found at all (with no candidates), else nil.
  public func findLink(in input: String) -> Found? {
    var first: ParsedLink? = nil
    var chosen: Found? = nil
    let registry = self.registry
    LinkExtractor.forEachLink(in: input, isKnownHost: { registry.routesHost(of: $0) }) { link in
      if first == nil { first = link }
      let candidates = registry.candidates(for: link)
      if !candidates.isEmpty {
        chosen = Found(link: link, candidates: candidates)
        return false
      }
      return true
    }
    if let chosen { return chosen }
    if let first { return Found(link: first, candidates: []) }
    return nil
  }

  /// A link found in an input, and the handlers that take it (empty when none does).
  public struct Found: Sendable {
    public var link: ParsedLink
    public var candidates: [NormalizerRegistry.Entry]
    public var recognized: Bool { !candidates.isEmpty }
  }

  /// Dry run: the handlers that would be tried for `input`, in order (empty when none would).
  public func plan(for input: String) -> (link: ParsedLink?, handlers: [NormalizerRegistry.Entry]) {
    guard let found = findLink(in: input) else { return (nil, []) }
    return (found.link, found.candidates)
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
    let network = !offline && found.candidates.contains { $0.normalizer.requiresNetwork }
    return PreparedInput(input: input, link: found.link, candidates: found.candidates, needsNetwork: network)
  }

  /// Normalizes an already-extracted link; `input` is recorded as given.
  public func normalize(link: ParsedLink, input: String) async -> NormalizationRecord {
    let candidates = registry.candidates(for: link)
    let network = !offline && candidates.contains { $0.normalizer.requiresNetwork }
    return await run(PreparedInput(input: input, link: link, candidates: candidates, needsNetwork: network))
  }

  /// Runs a prepared input through its candidates without suspending, when every candidate the
  /// chain reaches answers synchronously (see ``LinkNormalizer/normalizeSynchronously(_:)``) and
  /// none of them needs the network; nil otherwise, and then ``run(_:)`` must be used (it starts
  /// over). Same precedence and records as ``run(_:)``. A cache hit before any remote resolver is
  /// answered here.
  public func runSynchronously(_ prepared: PreparedInput) -> NormalizationRecord? {
    guard let link = prepared.link, !prepared.candidates.isEmpty else { return emptyRecord(prepared) }
    var trail = Trail()
    for entry in prepared.candidates {
      let handler = entry.normalizer
      if handler.requiresNetwork {
        guard offline else { return nil }
        trail.skipOffline(handler.name)
        continue
      }
      let started = MonotonicTime.now()
      let outcome: Result<NormalizerOutcome, NormalizationError>
      do throws(NormalizationError) {
        guard let answer = try handler.normalizeSynchronously(link) else { return nil }
        outcome = .success(answer)
      } catch {
        outcome = .failure(error)
      }
      if let result = trail.add(handler.name, outcome, duration: MonotonicTime.since(started)) {
        return NormalizationRecord(input: prepared.input, foundLink: link, result: .success(result), attempts: trail.attempts)
      }
      if trail.lastFailure?.isFinal == true { break }
    }
    return trail.failureRecord(input: prepared.input, link: link)
  }

  /// Runs a prepared input through its candidates.
  public func run(_ prepared: PreparedInput) async -> NormalizationRecord {
    guard let link = prepared.link, !prepared.candidates.isEmpty else { return emptyRecord(prepared) }
    var trail = Trail()
    for entry in prepared.candidates {
      let handler = entry.normalizer
      if offline && handler.requiresNetwork {
        trail.skipOffline(handler.name)
        continue
      }
      var context = NormalizationContext(offline: offline)
      let started = MonotonicTime.now()
      let outcome: Result<NormalizerOutcome, NormalizationError>
      do throws(NormalizationError) {
        outcome = .success(try await handler.normalize(link, context: &context))
      } catch {
        outcome = .failure(error)
      }
      trail.attempts.append(contentsOf: context.recordedTries)
      if let result = trail.add(handler.name, outcome, duration: MonotonicTime.since(started)) {
        return NormalizationRecord(input: prepared.input, foundLink: link, result: .success(result), attempts: trail.attempts)
      }
      if trail.lastFailure?.isFinal == true { break }
    }
    return trail.failureRecord(input: prepared.input, link: link)
  }

  /// The record for an input with no link, or a link no handler takes.
  private func emptyRecord(_ prepared: PreparedInput) -> NormalizationRecord {
    guard let link = prepared.link else {
      return NormalizationRecord(
        input: prepared.input, foundLink: nil,
        result: .failure(NormalizationError(.noLink, "no link found in the input")), attempts: [])
    }
    let message =
      registry.routesHost(of: link)
      ? "no handler recognizes this \(link.host) URL (no id in it)"
      : "no registered platform recognizes the host \(link.host)"
    return NormalizationRecord(
      input: prepared.input, foundLink: link, result: .failure(NormalizationError(.unsupported, message)), attempts: [])
  }
}

/// The attempt trail of one input, and the precedence rule that turns it into an error.
private struct Trail {
  var attempts: [Attempt] = []
  var lastFailure: NormalizationError? = nil
  var lastSkip: NormalizationError? = nil
  var lastDecline: String? = nil

  mutating func skipOffline(_ handler: String) {
    let error = NormalizationError(.needsNetwork, "offline: \(handler) needs the network")
    attempts.append(Attempt(handler: handler, outcome: .skipped, error: error))
    lastSkip = error
  }

  /// Records one handler's outcome; returns the result when it succeeded.
  mutating func add(
    _ handler: String, _ outcome: Result<NormalizerOutcome, NormalizationError>, duration: Duration
  ) -> NormalizedLink? {
    switch outcome {
    case .failure(let error):
      attempts.append(Attempt(handler: handler, outcome: .failed, error: error, duration: duration))
      lastFailure = error
    case .success(.normalized(var result)):
      if result.handler.isEmpty { result.handler = handler }
      attempts.append(Attempt(handler: handler, outcome: .succeeded, note: result.remark, duration: duration))
      return result
    case .success(.declined(let reason)):
      attempts.append(Attempt(handler: handler, outcome: .declined, note: reason, duration: duration))
      lastDecline = reason
    case .success(.skipped(let error)):
      attempts.append(Attempt(handler: handler, outcome: .skipped, error: error, duration: duration))
      lastSkip = error
    }
    return nil
  }

  /// The precedence rule: the last failure, else the last skip, else `unsupported`.
  func failureRecord(input: String, link: ParsedLink) -> NormalizationRecord {
    let error =
      lastFailure ?? lastSkip
      ?? NormalizationError(.unsupported, lastDecline.map { "not recognized: \($0)" } ?? "not recognized")
    return NormalizationRecord(input: input, foundLink: link, result: .failure(error), attempts: attempts)
  }
}
