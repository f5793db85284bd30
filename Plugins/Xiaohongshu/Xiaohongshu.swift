public import LinkNormalizerCore
import PCRE2

/// The Xiaohongshu (RedNote) platform plugin: every URL form, short link and share text the app and
/// web produce, and the examples that pin them down. Everything this tool knows about Xiaohongshu
/// lives in this folder.
///
/// - Notes and users have 24-hex-character ids; upper-case hex is accepted and lower-cased.
/// - Hosts: `www.xiaohongshu.com`, `xiaohongshu.com`, `m.xiaohongshu.com`, and the RedNote mirror
///   `www.rednote.com`/`rednote.com` (same paths and ids; canonical URLs use www.xiaohongshu.com).
/// - Canonical: `https://www.xiaohongshu.com/explore/<noteId>` and
///   `https://www.xiaohongshu.com/user/profile/<userId>`, keeping `xsec_token` then `xsec_source`
///   (the web requires the token per note); all share/tracking parameters are dropped.
/// - Short links: `xhslink.com/<code>`, `xhslink.com/<letter>/<code>`, and the same on
///   `xhslink.cn`, matched by shape so new path letters keep working.
public enum Xiaohongshu {
  public static let name = "xiaohongshu"

  /// Hosts that serve full note and profile URLs.
  public static let webHosts: Set<String> = [
    "www.xiaohongshu.com", "xiaohongshu.com", "m.xiaohongshu.com", "www.rednote.com", "rednote.com",
  ]

  /// Hosts that serve short links (the redirect resolver contacts only these).
  public static let shortLinkHosts: Set<String> = ["xhslink.com", "www.xhslink.com", "xhslink.cn", "www.xhslink.cn"]

  /// A mobile browser User-Agent: short-link hosts answer a desktop UA differently.
  public static let userAgent =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"

  /// The Just One API share-convert endpoint for this platform.
  public static let shareConvertPath = "/api/xiaohongshu/share-url-transfer/v1"

  private static let hex24 = "[0-9a-fA-F]{24}"
  private static let end = "/?(?:\\?|$)"
  private static let noteCanonical = "https://www.xiaohongshu.com/explore/{id}"

  /// The strict parser for full URLs.
  public static let urlParser: PatternNormalizer = Platform.definition(of: name) {
    try PatternNormalizer(
      name: "xiaohongshu.url", platform: name, hosts: webHosts,
      forms: [
        URLPattern(
          kind: .note, "^/(?:explore|discovery/item|search_result)/(?<id>\(hex24))\(end)",
          canonical: noteCanonical, lowercaseID: true),
        URLPattern(
          kind: .note, "^/user/profile/(?<user_id>\(hex24))/(?<id>\(hex24))\(end)",
          canonical: noteCanonical, identifiers: [("user_id", "user_id")], lowercaseID: true),
        URLPattern(
          kind: .user, "^/user/profile/(?<id>\(hex24))\(end)",
          canonical: "https://www.xiaohongshu.com/user/profile/{id}", lowercaseID: true),
      ],
      keep: [KeptParameter("xsec_token"), KeptParameter("xsec_source")])
  }

  /// Lower priority: a 24-hex note id found as a whole path segment of an unknown path on a
  /// Xiaohongshu host (the last such segment; never under `/user/`, where ids are users).
  public static let idFallback: PatternNormalizer = Platform.definition(of: name) {
    try PatternNormalizer(
      name: "xiaohongshu.id-fallback", platform: name, hosts: webHosts,
      forms: [
        URLPattern(
          kind: .note, "^/(?!user/)(?:[^?]*/)?(?<id>\(hex24))(?=/|\\?|$)",
          canonical: noteCanonical, lowercaseID: true,
          remark: "note id recovered from an unrecognized path")
      ],
      keep: [KeptParameter("xsec_token"), KeptParameter("xsec_source")])
  }

  /// Short-link shape: an optional one-letter type segment, then a 4–32 character code.
  public static let shortLinks = ShortLinkSpec(
    platform: name, hosts: shortLinkHosts,
    pattern: Platform.definition(of: name) { try PCRE2Pattern("^/(?:[A-Za-z]/)?[A-Za-z0-9]{4,32}/?(?:\\?|$)") },
    shareConvertPath: shareConvertPath, userAgent: userAgent)

  /// The plugin, ready to install: `registry.install(Xiaohongshu.platform, resolvers: …)`.
  public static let platform = Platform(
    name: name, parsers: [urlParser], heuristics: [idFallback], shortLinks: shortLinks,
    examples: XiaohongshuExamples.all)
}
