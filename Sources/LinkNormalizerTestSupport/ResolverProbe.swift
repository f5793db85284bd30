public import LinkNormalizerCore
import Synchronization

/// Runs a ``ShortLinkResolver`` once, outside any chain, and returns what it did: its outcome or
/// error, and the intermediate tries it recorded (retries).
public func probe(_ resolver: some ShortLinkResolver, _ text: String, spec: ShortLinkSpec) async
  -> (Result<ResolverOutcome, NormalizationError>, [Attempt])
{
  guard let link = ParsedLink(text) else { preconditionFailure("not a link: \(text)") }
  var context = NormalizationContext()
  do throws(NormalizationError) {
    let outcome = try await resolver.resolve(link, spec: spec, context: &context)
    return (.success(outcome), context.recordedTries)
  } catch {
    return (.failure(error), context.recordedTries)
  }
}

extension Result where Success == ResolverOutcome, Failure == NormalizationError {
  /// The resolved URL, when the resolver resolved.
  public var url: String? {
    if case .success(.resolved(let resolution)) = self { return resolution.url }
    return nil
  }
  /// The thrown error, when the resolver failed.
  public var error: NormalizationError? {
    if case .failure(let error) = self { return error }
    return nil
  }
  /// The skip reason, when the resolver skipped.
  public var skip: NormalizationError? {
    if case .success(.skipped(let error)) = self { return error }
    return nil
  }
}

/// The entry the `cache-stress` helper stores for `index`, so tests can rebuild and compare it.
public func stressEntry(prefix: String, index: Int) -> CachedResolution {
  index.isMultiple(of: 2)
    ? CachedResolution(
      outcome: .resolved, url: "https://example.com/\(prefix)/\(index)", resolver: "stress-\(prefix)",
      storedAt: 1_700_000_000 + Int64(index))
    : CachedResolution(
      outcome: .notFound, url: nil, resolver: "stress-\(prefix)", storedAt: 1_700_000_000 + Int64(index))
}

/// A thread-safe counter for test handlers that answer differently on later calls.
public final class Counter: Sendable {
  private let value = Atomic<Int>(0)
  public init() {}
  /// Returns the number of earlier calls (0 for the first).
  public func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}
