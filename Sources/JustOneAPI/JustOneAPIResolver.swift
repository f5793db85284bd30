public import LinkNormalizerCore

/// The ``ShortLinkResolver`` that asks Just One API to convert a short link (name `justoneapi`).
///
/// It serves every platform whose ``ShortLinkSpec/shareConvertPath`` is set (``supports(_:)``)
/// and sends `https://<host><path and query>` of the link (the link's own scheme when it has one;
/// user info, port and fragment dropped) as `shareUrl`. The service's answer is returned
/// unvalidated; ``ShortLinkNormalizer`` then requires the platform's strict parsers to read an id
/// from it, else `bad_response` (``unusableResultCode``).
///
/// Failure modes are the client's (see ``JustOneAPIClient``); once the client has stopped
/// spending, ``resolve(_:spec:context:)`` returns ``ResolverOutcome/skipped(_:)`` with the code
/// that stopped it, so the chain records a skip and falls back to the next resolver.
///
/// Thread safety: a `Sendable` value sharing one client; safe for any number of concurrent calls.
public struct JustOneAPIResolver: ShortLinkResolver {
  /// `justoneapi`; handler names are `<platform>.justoneapi`.
  public let name = "justoneapi"
  /// `bad_response`: the service answered, but not with a usable URL of the platform.
  public var unusableResultCode: ErrorCode { .badResponse }
  /// The client making the calls (shared by copies of this resolver).
  public let client: JustOneAPIClient

  /// A resolver around an existing client (share one client to share its stop-spending gate).
  public init(client: JustOneAPIClient) {
    self.client = client
  }

  /// A resolver with a new client for `configuration`.
  public init(configuration: JustOneAPIConfiguration) {
    self.init(client: JustOneAPIClient(configuration: configuration))
  }

  /// What the client has done so far.
  public var statistics: JustOneAPIStatistics { client.statistics }

  /// True when the platform declares a share-convert endpoint path.
  public func supports(_ spec: ShortLinkSpec) -> Bool { spec.shareConvertPath != nil }

  /// Converts `link` with the platform's endpoint; `.skipped` once the client stopped spending,
  /// `.declined` when the platform has no endpoint.
  public func resolve(_ link: ParsedLink, spec: ShortLinkSpec, context: inout NormalizationContext)
    async throws(NormalizationError) -> ResolverOutcome
  {
    guard let path = spec.shareConvertPath else {
      return .declined("no Just One API endpoint for \(spec.platform)")
    }
    let shareURL = "\(link.scheme ?? "https")://\(link.host)\(link.target)"
    switch try await client.shareConvert(shareURL, path: path, handler: "\(spec.platform).\(name)", context: &context) {
    case .converted(let url): return .resolved(Resolution(url: url, resolver: name))
    case .stopped(let error): return .skipped(error)
    }
  }
}
