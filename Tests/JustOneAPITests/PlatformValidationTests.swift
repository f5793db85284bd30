import JustOneAPI
import LinkNormalizerCore
import LinkNormalizerTestSupport
import RemoteResolution
import Testing
import XiaohongshuPlugin

/// The resolver's answer goes through the core's ShortLinkNormalizer and a real platform's strict
/// parsers: only a URL they read an id from is a success.
@Suite struct PlatformValidationTests {
  func normalize(_ data: String) async throws -> (Result<NormalizerOutcome, NormalizationError>, LoopbackHTTPServer) {
    let server = try LoopbackHTTPServer { _ in envelope(0, data: data) }
    let normalizer = ShortLinkNormalizer(
      spec: Xiaohongshu.shortLinks, resolver: JustOneAPIResolver(client: makeClient(server)),
      parsers: Xiaohongshu.platform.parsers)
    var context = NormalizationContext()
    do throws(NormalizationError) {
      return (
        .success(try await normalizer.normalize(ParsedLink("http://xhslink.com/o/7fp0jbJ0uh")!, context: &context)),
        server
      )
    } catch {
      return (.failure(error), server)
    }
  }

  @Test func aNoteURLBecomesTheIdentity() async throws {
    let (result, server) = try await normalize(redirectData(notePath))
    guard case .success(.normalized(let link)) = result else {
      Issue.record("expected a result, got \(result)")
      return
    }
    #expect(link.id == "69a8b0b9000000001a02fb14")
    #expect(link.handler == "xiaohongshu.justoneapi")
    #expect(link.resolver == "justoneapi")
    #expect(link.resolvedURL == notePath)
    #expect(server.requests.first?.path == "/api/xiaohongshu/share-url-transfer/v1")
    #expect(server.requests.first?.queryValue("shareUrl") == "http://xhslink.com/o/7fp0jbJ0uh")
  }

  @Test(arguments: [
    "https://evil.example/discovery/item/69a8b0b9000000001a02fb14",
    "https://www.xiaohongshu.com/website-login/error?error_code=300013",
    "https://www.xiaohongshu.com/",
    "not a url",
  ])
  func aForeignOrUselessURLIsABadResponse(url: String) async throws {
    let (result, _) = try await normalize("\"\(url)\"")
    guard case .failure(let error) = result else {
      Issue.record("expected bad_response, got \(result)")
      return
    }
    #expect(error.code == .badResponse)
  }
}
