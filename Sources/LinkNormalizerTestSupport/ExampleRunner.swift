public import LinkNormalizerCore

/// Runs plugins' examples: the table-driven fixtures each plugin carries next to its patterns.
public enum ExampleRunner {
  /// A mismatch between an example's expectation and what the chain produced.
  public struct Mismatch: Sendable, CustomStringConvertible {
    public var platform: String
    public var input: String
    public var problem: String
    public var description: String { "[\(platform)] \(input)\n    \(problem)" }
  }

  static func sorted(_ fields: [Field]) -> [Field] { fields.sorted { ($0.name, $0.value) < ($1.name, $1.value) } }

  /// A registry with every platform installed (no resolvers), as the examples assume.
  public static func registry(for platforms: [Platform], packs: [Platform] = []) -> NormalizerRegistry {
    var registry = NormalizerRegistry()
    for platform in platforms { registry.install(platform) }
    for pack in packs { registry.install(pack, parserPriority: Priority.rulePack) }
    return registry
  }

  /// Runs every example of every platform offline through one chain holding all platforms, and
  /// checks results and idempotence (a canonical URL normalizes to itself). Returns the mismatches.
  public static func run(_ platforms: [Platform], packs: [Platform] = []) async -> [Mismatch] {
    let chain = FallbackChain(registry: registry(for: platforms, packs: packs), offline: true)
    var mismatches: [Mismatch] = []
    for platform in platforms + packs {
      for example in platform.examples {
        let record = await chain.normalize(example.input)
        func fail(_ problem: String) {
          mismatches.append(Mismatch(platform: platform.name, input: example.input, problem: problem))
        }
        switch (example.expected, record.result) {
        case (
          .normalized(let kind, let id, let canonical, let handler, let identifiers, let parameters), .success(let link)
        ):
          if link.platform != platform.name { fail("platform \(link.platform), expected \(platform.name)") }
          if link.kind != kind { fail("kind \(link.kind), expected \(kind)") }
          if link.id != id { fail("id \(link.id), expected \(id)") }
          if link.canonicalURL != canonical { fail("canonical \(link.canonicalURL)\n    expected  \(canonical)") }
          if link.handler != handler { fail("handler \(link.handler), expected \(handler)") }
          // Compared by name: packs declare fields as JSON objects, which have no order.
          if sorted(link.identifiers) != sorted(identifiers) {
            fail("identifiers \(link.identifiers), expected \(identifiers)")
          }
          if sorted(link.parameters) != sorted(parameters) {
            fail("parameters \(link.parameters), expected \(parameters)")
          }
          let again = await chain.normalize(link.canonicalURL)
          if again.link?.canonicalURL != link.canonicalURL || again.link?.id != link.id {
            fail("not idempotent: \(link.canonicalURL) normalizes to \(again.link?.canonicalURL ?? "\(again.result)")")
          }
        case (.error(let code), .failure(let error)):
          if error.code != code { fail("error \(error.code), expected \(code): \(error.message)") }
        case (.normalized, .failure(let error)):
          fail("failed with \(error), expected success")
        case (.error(let code), .success(let link)):
          fail("succeeded (\(link.canonicalURL) by \(link.handler)), expected \(code)")
        }
      }
    }
    return mismatches
  }

  /// Pairs of handlers with the same priority that both accept one example: the order between
  /// them would be decided by registration order alone, which must never happen.
  public static func ambiguousClaims(_ platforms: [Platform]) -> [String] {
    let registry = registry(for: platforms)
    var problems: [String] = []
    for platform in platforms {
      for example in platform.examples {
        for link in LinkExtractor.links(in: example.input, isKnownHost: { registry.routesHost(of: $0) }) {
          let candidates = registry.candidates(for: link)
          for (i, a) in candidates.enumerated() {
            for b in candidates[(i + 1)...] where a.priority == b.priority {
              problems.append("\(example.input): \(a.name) and \(b.name) both claim it at priority \(a.priority)")
            }
          }
        }
      }
    }
    return problems
  }
}
