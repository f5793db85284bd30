public import LinkNormalizerCore
import PCRE2

/// The Bilibili platform plugin: videos by BV or av id, user spaces, and `b23.tv` /
/// `bili2233.cn` short links.
///
/// - Video ids are `BV` + 10 case-sensitive characters, or `av` + digits (kept as av: the two are
///   different spellings the tool does not convert between).
/// - Canonical: `https://www.bilibili.com/video/<id>`, with `?p=<n>` kept only when n > 1 (the
///   only meaningful parameter); `https://space.bilibili.com/<uid>` for users.
public enum Bilibili {
  public static let name = "bilibili"

  public static let videoHosts: Set<String> = ["www.bilibili.com", "bilibili.com", "m.bilibili.com"]
  public static let spaceHosts: Set<String> = ["space.bilibili.com"]
  public static let shortLinkHosts: Set<String> = ["b23.tv", "www.b23.tv", "bili2233.cn", "www.bili2233.cn"]
  public static let shareConvertPath = "/api/bilibili/share-url-transfer/v1"
  public static let userAgent =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"

  private static let end = "/?(?:\\?|$)"

  public static let urlParser: PatternNormalizer = Platform.definition(of: name) {
    try PatternNormalizer(
      name: "bilibili.url", platform: name, hosts: videoHosts.union(spaceHosts),
      forms: [
        URLPattern(
          kind: .video, "^/video/(?<id>BV[0-9A-Za-z]{10}|av[0-9]{1,12})\(end)", hosts: videoHosts,
          canonical: "https://www.bilibili.com/video/{id}"),
        URLPattern(
          kind: .user, "^/(?<id>[0-9]{1,20})\(end)", hosts: spaceHosts, canonical: "https://space.bilibili.com/{id}"),
      ],
      keep: [
        KeptParameter(
          "p", valuePattern: Platform.definition(of: name) { try PCRE2Pattern("^(?:[2-9]|[1-9][0-9]{1,4})$") })
      ])
  }

  public static let shortLinks = ShortLinkSpec(
    platform: name, hosts: shortLinkHosts,
    pattern: Platform.definition(of: name) { try PCRE2Pattern("^/[A-Za-z0-9]{4,16}/?(?:\\?|$)") },
    shareConvertPath: shareConvertPath, userAgent: userAgent)

  public static let platform = Platform(
    name: name, parsers: [urlParser], shortLinks: shortLinks, examples: BilibiliExamples.all)
}

enum BilibiliExamples {
  static let bv = "BV1GJ411x7h7"
  static let canonical = "https://www.bilibili.com/video/\(bv)"

  static func video(_ id: String = bv, page: String? = nil) -> LinkExample.Expectation {
    .normalized(
      kind: .video, id: id, canonicalURL: "https://www.bilibili.com/video/\(id)" + (page.map { "?p=\($0)" } ?? ""),
      handler: "bilibili.url", parameters: page.map { [Field("p", $0)] } ?? [])
  }

  static let all: [LinkExample] = [
    LinkExample("https://www.bilibili.com/video/\(bv)", video()),
    LinkExample("https://www.bilibili.com/video/\(bv)/?spm_id_from=333.1007.tianma.1-1-1.click&vd_source=abc", video()),
    LinkExample("https://www.bilibili.com/video/\(bv)?p=1", video()),
    LinkExample("https://www.bilibili.com/video/\(bv)?p=3&t=12", video(page: "3")),
    LinkExample("https://m.bilibili.com/video/\(bv)?p=12", video(page: "12")),
    LinkExample("bilibili.com/video/av170001", video("av170001")),
    LinkExample(
      "https://space.bilibili.com/2267573?spm_id_from=333.337",
      .normalized(
        kind: .user, id: "2267573", canonicalURL: "https://space.bilibili.com/2267573", handler: "bilibili.url")),
    LinkExample("【【官方 MV】Never Gonna Give You Up】 https://b23.tv/Ab12Cd3", .error(.needsNetwork)),
    LinkExample("https://bili2233.cn/xYz987a", .error(.needsNetwork)),
    LinkExample("https://www.bilibili.com/video/BV1GJ41", .error(.unsupported)),
    LinkExample("https://space.bilibili.com/2267573/video", .error(.unsupported)),
    LinkExample("https://www.bilibili.com/", .error(.unsupported)),
  ]
}
