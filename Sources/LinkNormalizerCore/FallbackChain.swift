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

  public init(registry: NormalizerRegistry, offline: Bool = false) {
    self.registry = registry
    self.offline = offline
  }

  /// The link in `input` that the chain would normalize: the first the registry recognizes, else
  /// the first link found at all (then not recognized), else nil.
  public func findLink(in input: String) -> Found? {
    var first: ParsedLink? = nil
    var chosen: Found? = nil
    let registry = self.registry
    LinkExtractor.forEachLink(in: input, isKnownHost: { registry.routesHost(of: $0) }) { link in
      if first == nil { first = link }
      let found = Found(routing: link, in: registry)
      guard found.recognized else { return true }
      chosen = found
      return false
    }
    if let chosen { return chosen }
    if let first { return Found(link: first, route: [], start: 0) }
    return nil
  }

  /// A link found in an input, with the handlers routed to it. Only the first accepting handler
  /// (`route[start]`) has been asked; later ones are asked when the chain reaches them.
  public struct Found: Sendable {
    public var link: ParsedLink
    /// The handlers registered for the link's host, in precedence order.
    public var route: [NormalizerRegistry.Entry]
    /// The index of the first handler in `route` that accepts the link.
    public var start: Int
    /// Whether some handler takes the link.
    public var recognized: Bool { start < route.count }

    /// Routes `link`: its handlers, and the first that accepts it (asked in order, no further).
    init(routing link: ParsedLink, in registry: NormalizerRegistry) {
      self.link = link
      self.route = registry.route(for: link)
      self.start = route.firstIndex { $0.normalizer.accepts(link) } ?? route.count
    }

    init(link: ParsedLink, route: [NormalizerRegistry.Entry], start: Int) {
      self.link = link
      self.route = route
      self.start = start
    }
    /// The handlers that take the link, in order (asks every remaining handler).
    public var candidates: [NormalizerRegistry.Entry] {
      guard recognized else { return [] }
      let link = self.link
      return [route[start]] + route[(start + 1)...].filter { $0.normalizer.accepts(link) }
    }
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

  /// An input with its link found and routed, ready to ``run(_:)``. Preparing is synchronous and
  /// local; it lets a caller decide how to schedule inputs that need the network.
  public struct PreparedInput: Sendable {
    public var input: String
    /// The link chosen from the input, nil when it holds none.
    public var link: ParsedLink? { found?.link }
    var found: Found?
    let offline: Bool
    /// Where a synchronous run stopped (see ``FallbackChain/normalizeSynchronously(_:pending:)``):
    /// ``FallbackChain/run(_:)`` goes on from there with the attempts already made, so no handler
    /// is asked twice.
    var resume: Resume? = nil
    /// The handlers that will be tried, in order (computed: asks each handler).
    public var candidates: [NormalizerRegistry.Entry] { found?.candidates ?? [] }
    /// Whether running may make remote calls: some candidate needs the network and the chain is
    /// not offline (computed: asks each handler).
    public var needsNetwork: Bool { !offline && candidates.contains { $0.normalizer.requiresNetwork } }
  }

  /// Finds the link in `input` and routes it (see ``PreparedInput``).
  public func prepare(_ input: String) -> PreparedInput {
    PreparedInput(input: input, found: findLink(in: input), offline: offline)
  }

  /// Normalizes an already-extracted link; `input` is recorded as given.
  public func normalize(link: ParsedLink, input: String) async -> NormalizationRecord {
    await run(PreparedInput(input: input, found: Found(routing: link, in: registry), offline: offline))
  }

  /// Runs a prepared input through its candidates without suspending, when every candidate the
  /// chain reaches answers synchronously (see ``LinkNormalizer/normalizeSynchronously(_:)``) and
  /// none of them needs the network; nil otherwise, and then ``run(_:)`` must be used (it starts
  /// over). Same precedence and records as ``run(_:)``. A cache hit before any remote resolver is
  /// answered here.
  public func runSynchronously(_ prepared: PreparedInput) -> NormalizationRecord? {
    guard let found = prepared.found, found.recognized else { return emptyRecord(prepared) }
    var trail = Trail()
    return continueSynchronously(
      input: prepared.input, link: found.link, route: found.route, from: found.start, firstAccepts: true,
      trail: &trail
    ).record
  }

  /// ``prepare(_:)`` and ``runSynchronously(_:)`` in one pass, the batch fast path: each handler
  /// is asked once through ``LinkNormalizer/attemptSynchronously(_:)`` (accept and answer together)
  /// rather than ``LinkNormalizer/accepts(_:)`` during routing and again to run. Same link choice,
  /// precedence and records as `run(prepare(input))`; nil when some candidate can only answer
  /// asynchronously or needs the network, and then `run(prepare(input))` must be used (it starts
  /// over). Returning only the record keeps this path free of large enum copies.
  public func normalizeSynchronously(_ input: String) -> NormalizationRecord? {
    var pending: PreparedInput? = nil
    return normalizeSynchronously(input, pending: &pending)
  }

  /// ``normalizeSynchronously(_:)``, and when it returns nil, `pending` holds the input prepared
  /// to go on where the synchronous run stopped: ``run(_:)`` completes the record from there, with
  /// the attempts already made and without asking any handler again (a cache is looked up once).
  public func normalizeSynchronously(_ input: String, pending: inout PreparedInput?) -> NormalizationRecord? {
    var first: ParsedLink? = nil
    var result: NormalizationRecord? = nil
    var decided = false
    // Where the run goes on asynchronously, when it does: the link routed, and the resume point.
    var suspended: Suspension? = nil
    LinkExtractor.forEachLink(in: input, isKnownHost: { self.registry.routesHost(of: $0) }) { link in
      if first == nil { first = link }
      return registry.withRoute(for: link) { route in
        for index in route.indices {
          // The route and its handlers live as long as the registry: borrowed, not retained, so
          // threads routing at once never contend on their reference counts.
          let step = route[index].unmanagedHandler._withUnsafeGuaranteedRef { handler -> RouteStep in
            if handler.requiresNetwork { return handler.normalizer.accepts(link) ? .needsNetwork : .notAccepted }
            let started = MonotonicTime.now()
            let attempt = handler.normalizer.attemptSynchronously(link)
            let duration = MonotonicTime.since(started)
            // The common case, answered here without building a trail or moving the answer
            // through another enum.
            if case .answered(.success(.normalized(var success))) = attempt {
              let succeeded = Trail.succeeded(&success, handler: handler.name, duration: duration)
              result = NormalizationRecord(input: input, foundLink: link, link: success, attempt: succeeded)
              return .succeeded
            }
            return .attempted(attempt, handler.name, duration)
          }
          switch step {
          case .notAccepted:
            continue
          case .succeeded:
            break
          case .needsNetwork:
            var trail = Trail()
            switch continueSynchronously(
              input: input, link: link, route: Array(route), from: index, firstAccepts: true, trail: &trail)
            {
            case .record(let record): result = record
            case .suspended(let resume):
              suspended = Suspension(found: Found(link: link, route: Array(route), start: index), resume: resume)
            }
          case .attempted(.notAccepted, _, _):
            continue
          case .attempted(.asynchronous, _, _):
            suspended = Suspension(
              found: Found(link: link, route: Array(route), start: index), resume: Resume(index: index, trail: Trail()))
          case .attempted(.answered(let outcome), let name, let duration):
            var trail = Trail()
            if let success = trail.add(name, outcome, duration: duration) {
              result = NormalizationRecord(
                input: input, foundLink: link, result: .success(success), attempts: trail.attempts)
            } else {
              switch continueSynchronously(
                input: input, link: link, route: Array(route), from: index + 1, firstAccepts: false, trail: &trail)
              {
              case .record(let record): result = record
              case .suspended(let resume):
                suspended = Suspension(found: Found(link: link, route: Array(route), start: index), resume: resume)
              }
            }
          }
          decided = true
          return false
        }
        return true
      }
    }
    if let suspended {
      pending = PreparedInput(input: input, found: suspended.found, offline: offline, resume: suspended.resume)
      return nil
    }
    if decided { return result }
    return emptyRecord(
      PreparedInput(input: input, found: first.map { Found(link: $0, route: [], start: 0) }, offline: offline))
  }

  /// The synchronous chain from `route[from]` on, after the attempts already in `trail`:
  /// suspended at the first handler that can only answer asynchronously or needs the network while
  /// online (it accepts the link; the trail so far goes with the resume point). With
  /// `firstAccepts`, `route[from]` is known to accept the link and is not asked again.
  private func continueSynchronously(
    input: String, link: ParsedLink, route: [NormalizerRegistry.Entry], from start: Int, firstAccepts: Bool,
    trail: inout Trail
  ) -> SynchronousRun {
    if trail.lastFailure?.isFinal == true { return .record(trail.failureRecord(input: input, link: link)) }
    for index in start..<route.count {
      let handler = route[index].normalizer
      if !(firstAccepts && index == start) && !handler.accepts(link) { continue }
      if handler.requiresNetwork {
        guard offline else { return .suspended(Resume(index: index, trail: trail)) }
        trail.skipOffline(handler.name)
        continue
      }
      let started = MonotonicTime.now()
      let outcome: Result<NormalizerOutcome, NormalizationError>
      do throws(NormalizationError) {
        guard let answer = try handler.normalizeSynchronously(link) else {
          return .suspended(Resume(index: index, trail: trail))
        }
        outcome = .success(answer)
      } catch {
        outcome = .failure(error)
      }
      if let result = trail.add(handler.name, outcome, duration: MonotonicTime.since(started)) {
        return .record(
          NormalizationRecord(input: input, foundLink: link, result: .success(result), attempts: trail.attempts))
      }
      if trail.lastFailure?.isFinal == true { break }
    }
    return .record(trail.failureRecord(input: input, link: link))
  }

  /// Runs a prepared input through its candidates.
  public func run(_ prepared: PreparedInput) async -> NormalizationRecord {
    guard let found = prepared.found, found.recognized else { return emptyRecord(prepared) }
    let link = found.link
    // From where a synchronous run stopped, if one did (that handler is known to accept the link).
    var trail = prepared.resume?.trail ?? Trail()
    let first = prepared.resume?.index ?? found.start
    for index in first..<found.route.count {
      let handler = found.route[index].normalizer
      if index > first && !handler.accepts(link) { continue }
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
        return NormalizationRecord(
          input: prepared.input, foundLink: link, result: .success(result), attempts: trail.attempts)
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

/// Where a synchronous run stopped: the route index of a handler that accepts the link but must
/// run asynchronously, and the attempts made before it.
struct Resume: Sendable {
  var index: Int
  var trail: Trail
}

/// A synchronous run that stopped: the link routed, and where to go on. A class, so that the
/// fast path, which almost never stops, carries one nil reference rather than a large optional.
private final class Suspension {
  let found: FallbackChain.Found
  let resume: Resume
  init(found: FallbackChain.Found, resume: Resume) {
    self.found = found
    self.resume = resume
  }
}

/// How a synchronous run ended: with the record, or suspended.
private enum SynchronousRun {
  case record(NormalizationRecord)
  case suspended(Resume)

  var record: NormalizationRecord? {
    if case .record(let record) = self { return record }
    return nil
  }
}

/// What the fast path learned from one route entry.
private enum RouteStep {
  case notAccepted
  /// The handler produced the result; the record is made.
  case succeeded
  /// A handler that needs the network accepts the link.
  case needsNetwork
  case attempted(SynchronousAttempt, String, Duration)
}

/// The attempt trail of one input, and the precedence rule that turns it into an error.
struct Trail: Sendable {
  var attempts: [Attempt] = []
  var lastFailure: NormalizationError? = nil
  var lastSkip: NormalizationError? = nil
  var lastDecline: String? = nil

  mutating func skipOffline(_ handler: String) {
    let error = NormalizationError(.needsNetwork, "offline: \(handler) needs the network")
    attempts.append(Attempt(handler: handler, outcome: .skipped, error: error))
    lastSkip = error
  }

  /// The attempt that records `result` as `handler`'s success, naming the handler in the result
  /// when it did not name itself.
  static func succeeded(_ result: inout NormalizedLink, handler: String, duration: Duration) -> Attempt {
    if result.handler.isEmpty { result.handler = handler }
    return Attempt(handler: handler, outcome: .succeeded, note: result.remark, duration: duration)
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
      attempts.append(Trail.succeeded(&result, handler: handler, duration: duration))
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
