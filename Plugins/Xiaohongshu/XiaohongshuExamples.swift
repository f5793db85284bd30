import LinkNormalizerCore

/// The inputs the Xiaohongshu plugin must handle, with the expected offline results. The generic
/// example test runs them all (and checks that no two handlers at one priority claim one).
enum XiaohongshuExamples {
  static let note = "69a8b0b9000000001a02fb14"
  static let user = "5ff0e6410000000001008400"
  static let token = "CBHREJ1TsBOQ_uj3483UeSzWv_JcOIKPbKiH6mlSERU58="
  static let encodedToken = "CBHREJ1TsBOQ_uj3483UeSzWv_JcOIKPbKiH6mlSERU58%3D"
  static let canonicalNote = "https://www.xiaohongshu.com/explore/\(note)"
  static let canonicalUser = "https://www.xiaohongshu.com/user/profile/\(user)"

  static func noteResult(
    _ canonical: String = canonicalNote, handler: String = "xiaohongshu.url", identifiers: [Field] = [],
    parameters: [Field] = []
  ) -> LinkExample.Expectation {
    .normalized(
      kind: .note, id: note, canonicalURL: canonical, handler: handler, identifiers: identifiers,
      parameters: parameters)
  }

  static let withToken = "\(canonicalNote)?xsec_token=\(encodedToken)"
  static let withTokenAndSource = "\(withToken)&xsec_source=app_share"

  static let all: [LinkExample] = [
    // Full URL forms.
    LinkExample("https://www.xiaohongshu.com/explore/\(note)", noteResult()),
    LinkExample("https://www.xiaohongshu.com/discovery/item/\(note)", noteResult()),
    LinkExample("https://www.xiaohongshu.com/search_result/\(note)", noteResult()),
    LinkExample(
      "https://www.xiaohongshu.com/user/profile/\(user)/\(note)",
      noteResult(identifiers: [Field("user_id", user)])),
    LinkExample(
      "https://www.xiaohongshu.com/user/profile/\(user)",
      .normalized(kind: .user, id: user, canonicalURL: canonicalUser, handler: "xiaohongshu.url")),
    // Hosts, schemes, case.
    LinkExample("http://xiaohongshu.com/explore/\(note)", noteResult()),
    LinkExample("www.xiaohongshu.com/explore/\(note)", noteResult()),
    LinkExample("HTTPS://WWW.XIAOHONGSHU.COM/explore/\(note)", noteResult()),
    LinkExample("https://m.xiaohongshu.com/discovery/item/\(note)", noteResult()),
    LinkExample(
      "https://www.rednote.com/explore/\(note)?xsec_token=\(encodedToken)&xsec_source=pc_search",
      noteResult(
        "\(withToken)&xsec_source=pc_search",
        parameters: [Field("xsec_token", token), Field("xsec_source", "pc_search")])),
    LinkExample("https://www.xiaohongshu.com/explore/\(note.uppercased())", noteResult()),
    // Query handling: tracking dropped, token kept byte-exact (decoded once), fragment dropped.
    LinkExample(
      "https://www.xiaohongshu.com/discovery/item/\(note)?app_platform=android&ignoreEngage=true&app_version=8.83.0&share_from_user_hidden=true&xsec_source=app_share&type=normal&xsec_token=\(encodedToken)&author_share=1&xhsshare=CopyLink&shareRedId=Nzs6RkhGOE06PzlISz43O0g0Qj09SDhB&apptime=1772678471&share_id=6d92e913f11743c0bd47711f72c7437e&share_channel=copy_link",
      noteResult(withTokenAndSource, parameters: [Field("xsec_token", token), Field("xsec_source", "app_share")])),
    LinkExample(
      "https://www.xiaohongshu.com/explore/\(note)?xsec_token=\(encodedToken)#comments",
      noteResult(withToken, parameters: [Field("xsec_token", token)])),
    LinkExample(
      withTokenAndSource,
      noteResult(withTokenAndSource, parameters: [Field("xsec_token", token), Field("xsec_source", "app_share")])),
    LinkExample(
      "https://www.xiaohongshu.com/explore/\(note)?xsec_token=AB%2BCD%252F%3D",
      noteResult("\(canonicalNote)?xsec_token=AB%2BCD%252F%3D", parameters: [Field("xsec_token", "AB+CD%2F=")])),
    // Share texts as the apps copy them.
    LinkExample(
      "44 【标题 - 作者 | 小红书 - 你的生活指南】 😆 Inw56apL6vWYuoS 😆 https://www.xiaohongshu.com/discovery/item/\(note)?source=webshare&xhsshare=pc_web&xsec_token=\(encodedToken)&xsec_source=pc_share",
      noteResult(
        "\(withToken)&xsec_source=pc_share", parameters: [Field("xsec_token", token), Field("xsec_source", "pc_share")])
    ),
    LinkExample(
      "13 我是DM发布了一篇小红书笔记，快来看吧！ 😆 F02MULzeoQVJ7YY 😆 http://xhslink.com/GQ0MHB，复制本条信息，打开【小红书】App查看精彩内容！",
      .error(.needsNetwork)),
    LinkExample("好看的裙子... http://xhslink.com/o/7fp0jbJ0uh \n复制后打开【小红书】查看笔记！", .error(.needsNetwork)),
    // Short links by shape.
    LinkExample("https://xhslink.com/a/bXk2mPq9Rz1", .error(.needsNetwork)),
    LinkExample("xhslink.cn/o/5TeN7abCDe", .error(.needsNetwork)),
    LinkExample("http://xhslink.com/n/2Wq8", .error(.needsNetwork)),
    // Heuristic fallback, and what it must not claim.
    LinkExample(
      "https://www.xiaohongshu.com/explore/\(note)/comments",
      noteResult(handler: "xiaohongshu.id-fallback")),
    LinkExample("https://www.xiaohongshu.com/user/profile/\(user)/collect", .error(.unsupported)),
    LinkExample("https://www.xiaohongshu.com/", .error(.unsupported)),
    LinkExample("https://www.xiaohongshu.com/explore", .error(.unsupported)),
    // Look-alike hosts are not Xiaohongshu.
    LinkExample("https://www.xiaohongshu.com.evil.example/explore/\(note)", .error(.unsupported)),
    LinkExample("http://www.xiaohongshu.com@evil.example/explore/\(note)", .error(.unsupported)),
    LinkExample("https://evil.example/www.xiaohongshu.com/explore/\(note)", .error(.unsupported)),
  ]
}
