import PCRE2
import Testing

@Suite struct PCRE2PatternTests {
  @Test func namedGroupsAreSubstringsOfTheSubject() throws {
    let pattern = try PCRE2Pattern("^/user/(?<user>[0-9a-f]+)/(?<note>[0-9a-f]+)$")
    let subject = "/user/abc123/def456"
    let match = try #require(try pattern.firstMatch(in: subject))
    #expect(match["user"] == "abc123")
    #expect(match["note"] == "def456")
    #expect(match["missing"] == nil)
    #expect(match.wholeMatch == Substring(subject))
    #expect(pattern.namedGroups.map(\.name).sorted() == ["note", "user"])
    #expect(pattern.captureCount == 2)
  }

  @Test func unsetGroupsAreNil() throws {
    let pattern = try PCRE2Pattern("^(?<a>x)?(?<b>y)$")
    let match = try #require(try pattern.firstMatch(in: "y"))
    #expect(match["a"] == nil)
    #expect(match["b"] == "y")
  }

  @Test func nonASCIISubjectsUseUTF8Offsets() throws {
    let pattern = try PCRE2Pattern("(?<word>笔记)\\s*(?<id>[0-9a-f]{4})")
    let subject = "小红书 😆 笔记 beef 吧"
    let match = try #require(try pattern.firstMatch(in: subject))
    #expect(match["word"] == "笔记")
    #expect(match["id"] == "beef")
    // Character classes are UTF-aware: one emoji is one character.
    #expect(try PCRE2Pattern("^.$").matches("😆"))
  }

  @Test func matchesSubstringsWithoutTheirBase() throws {
    let base = "prefix /explore/1234 suffix"
    let slice = base.dropFirst(7).prefix(13)
    let pattern = try PCRE2Pattern("^/explore/(?<id>\\d+)$")
    let match = try #require(try pattern.firstMatch(in: slice))
    #expect(match["id"] == "1234")
  }

  @Test func compileErrorsCarryMessageAndOffset() {
    #expect {
      _ = try PCRE2Pattern("abc(def")
    } throws: { error in
      guard case .compile(let message, let offset, let pattern) = error as? PCRE2Error else { return false }
      return message.contains("missing closing parenthesis") && offset == 7 && pattern == "abc(def"
    }
    #expect {
      _ = try PCRE2Pattern("a{2,1}")
    } throws: { error in
      guard case .compile(_, let offset, _) = error as? PCRE2Error else { return false }
      return offset > 0
    }
  }

  @Test func catastrophicBacktrackingHitsTheLimitInsteadOfHanging() throws {
    let pattern = try PCRE2Pattern("^(a+)+$")
    let subject = String(repeating: "a", count: 40) + "b"
    #expect(throws: PCRE2Error.self) { _ = try pattern.matches(subject) }
    // The interpreter path (no JIT) is bounded the same way.
    let limits = PCRE2Pattern.Limits(matchLimit: 10_000, depthLimit: 100, heapLimitKiB: 1_024)
    let tight = try PCRE2Pattern("^(a|aa)+$", limits: limits)
    #expect(throws: PCRE2Error.self) { _ = try tight.matches(String(repeating: "a", count: 60) + "b") }
  }

  @Test func emptySubjectsAndEmptyPatterns() throws {
    #expect(try PCRE2Pattern("^$").matches(""))
    #expect(try PCRE2Pattern("").matches("anything"))
    #expect(try PCRE2Pattern("x").firstMatch(in: "") == nil)
  }

  @Test func optionsApply() throws {
    #expect(try PCRE2Pattern("^abc$", options: .caseInsensitive).matches("ABC"))
    #expect(try !PCRE2Pattern("^abc$").matches("ABC"))
    #expect(try !PCRE2Pattern("b", options: .anchored).matches("ab"))
  }

  @Test func manyTasksShareOnePattern() async throws {
    let pattern = try PCRE2Pattern("^/n/(?<id>[0-9]+)$")
    let results = await withTaskGroup(of: Bool.self) { group in
      for task in 0..<32 {
        group.addTask {
          for i in 0..<2_000 {
            let id = String(task * 10_000 + i)
            guard let match = try? pattern.firstMatch(in: "/n/\(id)"), match["id"].map(String.init) == id else {
              return false
            }
          }
          return true
        }
      }
      var all: [Bool] = []
      for await result in group { all.append(result) }
      return all
    }
    #expect(results.count == 32)
    #expect(results.allSatisfy { $0 })
  }

  @Test func jitIsUsedWhereAvailable() throws {
    // Debian's libpcre2 is built with JIT on x86_64 and arm64.
    #expect(try PCRE2Pattern("a+b").isJITCompiled)
  }
}
