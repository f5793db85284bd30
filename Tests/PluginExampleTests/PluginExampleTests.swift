import BilibiliPlugin
import DouyinPlugin
import KuaishouPlugin
import LinkNormalizerCore
import LinkNormalizerTestSupport
import Testing
import XiaohongshuPlugin

/// The generic example test: every plugin's own examples, through one registry holding them all.
@Suite struct PluginExampleTests {
  static let platforms: [Platform] = [Xiaohongshu.platform, Douyin.platform, Kuaishou.platform, Bilibili.platform]

  @Test func everyExampleProducesItsExpectedResult() async {
    let mismatches = await ExampleRunner.run(Self.platforms)
    #expect(mismatches.isEmpty, "\(mismatches.map(\.description).joined(separator: "\n"))")
  }

  @Test func noTwoHandlersAtOnePriorityClaimAnExample() {
    let problems = ExampleRunner.ambiguousClaims(Self.platforms)
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
  }

  @Test func everyPlatformHasExamples() {
    for platform in Self.platforms { #expect(platform.examples.count >= 5, "\(platform.name)") }
  }
}
