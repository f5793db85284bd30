import LinkNormalizerCore
import LinkNormalizerTestSupport
import PCRE2
import RemoteResolution

/// A platform of our own: short links on `sl.test` and `sl2.test`, mapped to loopback servers by
/// the resolver's test hook.
let testSpec = ShortLinkSpec(
  platform: "testplat", hosts: ["sl.test", "sl2.test"],
  pattern: try! PCRE2Pattern("^/[A-Za-z0-9/]{3,40}(?:\\?|$)"), userAgent: "TestAgent/1.0")

/// A resolver whose declared hosts connect to the given loopback servers, with tiny backoffs.
func makeResolver(
  _ servers: [String: LoopbackHTTPServer], hops: Int = 3, retries: Int = 2, timeout: Duration = .seconds(5)
) -> HTTPRedirectResolver {
  let ports = servers.mapValues(\.port)
  return HTTPRedirectResolver(
    configuration: .init(
      maximumHops: hops, timeout: timeout, retry: RetryPolicy(retries: retries, backoffBase: .milliseconds(1)),
      endpointOverride: { host in ports[host].map { RemoteEndpoint(port: $0) } }))
}

func link(_ text: String) -> ParsedLink { ParsedLink(text)! }

/// Runs the resolver and returns its outcome or error, and the tries it recorded.
func resolve(_ resolver: some ShortLinkResolver, _ text: String, spec: ShortLinkSpec = testSpec) async
  -> (Result<ResolverOutcome, NormalizationError>, [Attempt])
{
  await probe(resolver, text, spec: spec)
}
