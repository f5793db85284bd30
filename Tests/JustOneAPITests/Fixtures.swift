import JustOneAPI
import LinkNormalizerCore
import LinkNormalizerTestSupport
import PCRE2
import RemoteResolution

/// A token with characters that need encoding, so both encoding and redaction are exercised.
let testToken = "tok_SECRET-7f3a/+= &?#%"

/// A platform of our own with a share-convert endpoint.
let apiSpec = ShortLinkSpec(
  platform: "testplat", hosts: ["sl.test"], pattern: try! PCRE2Pattern("^/[A-Za-z0-9/]{3,40}(?:\\?|$)"),
  shareConvertPath: "/api/testplat/share-url-transfer/v1")

let notePath =
  "https://www.xiaohongshu.com/discovery/item/69a8b0b9000000001a02fb14?xsec_token=CB%3D&xsec_source=app_share"

func makeClient(
  _ server: LoopbackHTTPServer, retries: Int = 2, timeout: Duration = .seconds(5),
  retryAfterCap: Duration = .seconds(30), concurrency: Int = 16, maxBodyBytes: Int = 64 * 1024
) -> JustOneAPIClient {
  JustOneAPIClient(
    configuration: JustOneAPIConfiguration(
      token: Secret(testToken), baseURL: server.baseURL + "/", timeout: timeout, retries: retries,
      backoffBase: .milliseconds(1), retryAfterCap: retryAfterCap, maximumConcurrentRequests: concurrency,
      maxBodyBytes: maxBodyBytes))
}

/// `{"code":…,"message":…,"data":…}`; `data` is inserted verbatim.
func envelope(_ code: Int, _ message: String? = nil, data: String = "null") -> LoopbackHTTPServer.Response {
  let messagePart = message.map { ",\"message\":\"\($0)\"" } ?? ""
  return .json("{\"code\":\(code)\(messagePart),\"data\":\(data),\"requestId\":\"r1\"}")
}

func redirectData(_ url: String) -> String { "{\"redirect_url\":\"\(url)\"}" }

/// Runs the resolver on `text`; returns the outcome or error and the tries it recorded.
func resolve(_ resolver: JustOneAPIResolver, _ text: String = "http://sl.test/abc1", spec: ShortLinkSpec = apiSpec)
  async -> (Result<ResolverOutcome, NormalizationError>, [Attempt])
{
  await probe(resolver, text, spec: spec)
}
