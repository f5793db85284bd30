public import LinkNormalizerCore
import PCRE2

/// The Kuaishou platform plugin: short videos (`/short-video/<photoId>`, the mobile share page
/// `v.m.chenzhongtech.com/fw/photo/<photoId>`), profiles, and `v.kuaishou.com` short links.
///
/// - Photo ids are alphanumeric (e.g. `3x3zxz4mjrsc8ke`), kept as written.
/// - Canonical: `https://www.kuaishou.com/short-video/<photoId>`,
///   `https://www.kuaishou.com/profile/<userId>`. No query parameter is kept.
public enum Kuaishou {
  public static let name = "kuaishou"

  public static let webHosts: Set<String> = [
    "www.kuaishou.com", "kuaishou.com", "v.m.chenzhongtech.com", "m.chenzhongtech.com",
  ]
  public static let shortLinkHosts: Set<String> = ["v.kuaishou.com"]
  public static let shareConvertPath = "/api/kuaishou/share-url-transfer/v1"
  public static let userAgent =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"

  private static let photoID = "[0-9A-Za-z]{6,32}"
  private static let end = "/?(?:\\?|$)"
  private static let canonicalVideo = "https://www.kuaishou.com/short-video/{id}"

  public static let urlParser: PatternNormalizer = Platform.definition(of: name) {
    try PatternNormalizer(
      name: "kuaishou.url", platform: name, hosts: webHosts,
      forms: [
        URLPattern(kind: .video, "^/short-video/(?<id>\(photoID))\(end)", canonical: canonicalVideo),
        URLPattern(kind: .video, "^/fw/photo/(?<id>\(photoID))\(end)", canonical: canonicalVideo),
        URLPattern(
          kind: .user, "^/(?:profile|fw/user)/(?<id>[0-9A-Za-z_-]{3,64})\(end)",
          canonical: "https://www.kuaishou.com/profile/{id}"),
      ])
  }

  public static let shortLinks = ShortLinkSpec(
    platform: name, hosts: shortLinkHosts,
    pattern: Platform.definition(of: name) { try PCRE2Pattern("^/(?:f/)?[A-Za-z0-9_-]{4,20}/?(?:\\?|$)") },
    shareConvertPath: shareConvertPath, userAgent: userAgent)

  public static let platform = Platform(
    name: name, parsers: [urlParser], shortLinks: shortLinks, examples: KuaishouExamples.all)
}

enum KuaishouExamples {
  static let photo = "3x3zxz4mjrsc8ke"
  static let canonical = "https://www.kuaishou.com/short-video/\(photo)"
  static let video = LinkExample.Expectation.normalized(
    kind: .video, id: photo, canonicalURL: canonical, handler: "kuaishou.url")

  static let all: [LinkExample] = [
    LinkExample("https://www.kuaishou.com/short-video/\(photo)", video),
    LinkExample(
      "https://www.kuaishou.com/short-video/\(photo)?authorId=3xabc&streamSource=find&area=homexxbrilliant", video),
    LinkExample("kuaishou.com/short-video/\(photo)/", video),
    LinkExample("https://v.m.chenzhongtech.com/fw/photo/\(photo)?fid=1&cc=share_copylink&shareMethod=TOKEN", video),
    LinkExample(
      "https://www.kuaishou.com/profile/3xw8qc7jksx5j9s",
      .normalized(
        kind: .user, id: "3xw8qc7jksx5j9s", canonicalURL: "https://www.kuaishou.com/profile/3xw8qc7jksx5j9s",
        handler: "kuaishou.url")),
    LinkExample("看看这个 https://v.kuaishou.com/59WkPb 复制此消息，打开【快手】直接观看！", .error(.needsNetwork)),
    LinkExample("https://v.kuaishou.com/59WkPb", .error(.needsNetwork)),
    LinkExample("https://www.kuaishou.com/", .error(.unsupported)),
    LinkExample("https://www.kuaishou.com/new-reco", .error(.unsupported)),
  ]
}
