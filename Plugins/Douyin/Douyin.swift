public import LinkNormalizerCore
import PCRE2

/// The Douyin platform plugin: video, note (image post) and slides links, `modal_id` links on
/// user/search/discover pages, iesdouyin share pages, users, and `v.douyin.com` short links.
///
/// - Ids are the numeric aweme ids (15–20 digits; 19 today). User ids are `sec_uid` strings.
/// - Canonical: `https://www.douyin.com/video/<id>` (and `/note/<id>`, `/slides/<id>`: the kind is
///   kept as such); a `modal_id` link becomes the video it points to;
///   `https://www.douyin.com/user/<sec_uid>` for users. No query parameter is kept.
public enum Douyin {
  public static let name = "douyin"

  public static let webHosts: Set<String> = [
    "www.douyin.com", "douyin.com", "m.douyin.com", "www.iesdouyin.com", "iesdouyin.com",
  ]
  public static let shortLinkHosts: Set<String> = ["v.douyin.com"]
  public static let shareConvertPath = "/api/douyin/share-url-transfer/v1"
  public static let userAgent =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"

  private static let awemeID = "[0-9]{15,20}"
  private static let end = "/?(?:\\?|$)"

  public static let urlParser: PatternNormalizer = Platform.definition(of: name) {
    try PatternNormalizer(
      name: "douyin.url", platform: name, hosts: webHosts,
      forms: [
        URLPattern(kind: .video, "^/video/(?<id>\(awemeID))\(end)", canonical: "https://www.douyin.com/video/{id}"),
        URLPattern(kind: .note, "^/note/(?<id>\(awemeID))\(end)", canonical: "https://www.douyin.com/note/{id}"),
        URLPattern(kind: "slides", "^/slides/(?<id>\(awemeID))\(end)", canonical: "https://www.douyin.com/slides/{id}"),
        URLPattern(
          kind: .video, "^/share/video/(?<id>\(awemeID))\(end)", canonical: "https://www.douyin.com/video/{id}"),
        URLPattern(kind: .note, "^/share/note/(?<id>\(awemeID))\(end)", canonical: "https://www.douyin.com/note/{id}"),
        URLPattern(
          kind: "slides", "^/share/slides/(?<id>\(awemeID))\(end)", canonical: "https://www.douyin.com/slides/{id}"),
        // A video opened over a user, search, discover or other page: the page is not the point.
        URLPattern(
          kind: .video, "^/[^?]*\\?(?:[^#]*&)?modal_id=(?<id>\(awemeID))(?:&|$)",
          canonical: "https://www.douyin.com/video/{id}"),
        URLPattern(
          kind: .user, "^/user/(?<id>(?!self\\b)[A-Za-z0-9_-]{8,100})\(end)",
          canonical: "https://www.douyin.com/user/{id}"),
      ])
  }

  public static let shortLinks = ShortLinkSpec(
    platform: name, hosts: shortLinkHosts,
    pattern: Platform.definition(of: name) { try PCRE2Pattern("^/[A-Za-z0-9_-]{4,20}/?(?:\\?|$)") },
    shareConvertPath: shareConvertPath, userAgent: userAgent)

  public static let platform = Platform(
    name: name, parsers: [urlParser], shortLinks: shortLinks, examples: DouyinExamples.all)
}

enum DouyinExamples {
  static let video = "7311245678901234567"
  static let canonical = "https://www.douyin.com/video/\(video)"

  static func videoResult(_ id: String = video) -> LinkExample.Expectation {
    .normalized(kind: .video, id: id, canonicalURL: "https://www.douyin.com/video/\(id)", handler: "douyin.url")
  }

  static let all: [LinkExample] = [
    LinkExample("https://www.douyin.com/video/\(video)", videoResult()),
    LinkExample("https://www.douyin.com/video/\(video)?previous_page=app_code_link&enter_from=share", videoResult()),
    LinkExample("douyin.com/video/\(video)/", videoResult()),
    LinkExample(
      "https://www.douyin.com/note/\(video)",
      .normalized(kind: .note, id: video, canonicalURL: "https://www.douyin.com/note/\(video)", handler: "douyin.url")),
    LinkExample(
      "https://www.douyin.com/slides/\(video)",
      .normalized(
        kind: "slides", id: video, canonicalURL: "https://www.douyin.com/slides/\(video)", handler: "douyin.url")),
    LinkExample("https://www.iesdouyin.com/share/video/\(video)/?region=CN&mid=7311&u_code=abc", videoResult()),
    LinkExample(
      "https://www.iesdouyin.com/share/note/\(video)/",
      .normalized(kind: .note, id: video, canonicalURL: "https://www.douyin.com/note/\(video)", handler: "douyin.url")),
    LinkExample("https://www.douyin.com/user/MS4wLjABAAAAabc?modal_id=\(video)&vid=1", videoResult()),
    LinkExample("https://www.douyin.com/search/%E7%8C%AB?aid=1&modal_id=\(video)", videoResult()),
    LinkExample("https://www.douyin.com/discover?modal_id=\(video)", videoResult()),
    LinkExample(
      "https://www.douyin.com/user/MS4wLjABAAAA-kVnPjyU0z2Yz7o",
      .normalized(
        kind: .user, id: "MS4wLjABAAAA-kVnPjyU0z2Yz7o",
        canonicalURL: "https://www.douyin.com/user/MS4wLjABAAAA-kVnPjyU0z2Yz7o",
        handler: "douyin.url")),
    LinkExample("7.43 pda:/ 让你在几秒钟之内记住我  https://v.douyin.com/L5pbfdP/ 复制此链接，打开Dou音搜索，直接观看视频！", .error(.needsNetwork)),
    LinkExample("https://v.douyin.com/iRNBho6u/", .error(.needsNetwork)),
    LinkExample("https://www.douyin.com/", .error(.unsupported)),
    LinkExample("https://www.douyin.com/video/123", .error(.unsupported)),
    LinkExample("https://www.douyin.com.evil.example/video/\(video)", .error(.unsupported)),
  ]
}
