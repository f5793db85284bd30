/// A reproducible mix of Xiaohongshu inputs (full URLs with share parameters, share texts), the
/// same mix as shared/bench/gen_corpus.py: 30% app-share discovery links, 25% explore links with a
/// token, 10% profile-note links, 7% rednote.com, 8% PC share text, 8% bare http links, 12% more
/// app-share links. Offline forms only (no short links).
struct Corpus {
  private var state: UInt64

  init(seed: UInt64 = 7) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

  private mutating func next() -> UInt64 {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    return state
  }

  private mutating func pick(_ alphabet: [UInt8], _ count: Int) -> String {
    String(decoding: (0..<count).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }, as: UTF8.self)
  }

  private static let hex = Array("0123456789abcdef".utf8)
  private static let tokenAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".utf8)

  private mutating func id() -> String { pick(Corpus.hex, 24) }
  private mutating func token() -> String {
    ["AB", "CB", "GB"][Int(next() % 3)] + pick(Corpus.tokenAlphabet, 42) + "="
  }
  private mutating func shareParameters(_ token: String) -> String {
    let platform = next() % 2 == 0 ? "android" : "ios"
    let encoded = token.replacingOccurrences(of: "=", with: "%3D")
    return "app_platform=\(platform)&ignoreEngage=true&app_version=8.\(10 + next() % 90).0&share_from_user_hidden=true"
      + "&xsec_source=app_share&type=normal&xsec_token=\(encoded)&author_share=1&xhsshare=CopyLink"
      + "&shareRedId=Nzs6RkhGOE06PzlISz43O0g0Qj09SDhB&apptime=17726\(10_000 + next() % 90_000)&share_id=\(pick(Corpus.hex, 32))&share_channel=copy_link"
  }

  /// The next input line.
  mutating func line() -> String {
    let k = Double(next() % 10_000) / 10_000
    let note = id()
    let t = token()
    switch k {
    case ..<0.30: return "https://www.xiaohongshu.com/discovery/item/\(note)?\(shareParameters(t))"
    case ..<0.55: return "https://www.xiaohongshu.com/explore/\(note)?xsec_token=\(t)&xsec_source=pc_feed"
    case ..<0.65: return "https://www.xiaohongshu.com/user/profile/\(id())/\(note)?xsec_token=\(t)&xsec_source=pc_user"
    case ..<0.72: return "https://www.rednote.com/explore/\(note)?xsec_token=\(t)&xsec_source=pc_search"
    case ..<0.80:
      return
        "44 【标题 - 作者 | 小红书 - 你的生活指南】 😆 Inw56apL6vWYuoS 😆 https://www.xiaohongshu.com/discovery/item/\(note)?source=webshare&xhsshare=pc_web&xsec_token=\(t)&xsec_source=pc_share"
    case ..<0.88: return "http://www.xiaohongshu.com/explore/\(note)"
    default: return "https://www.xiaohongshu.com/discovery/item/\(note)?\(shareParameters(t))"
    }
  }

  /// `count` lines.
  mutating func lines(_ count: Int) -> [String] { (0..<count).map { _ in line() } }
}

extension String {
  func replacingOccurrences(of target: String, with replacement: String) -> String {
    split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
