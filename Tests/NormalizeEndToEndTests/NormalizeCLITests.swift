import Foundation
import Testing

let note = "69a8b0b9000000001a02fb14"
let user = "5ff0e6410000000001008400"
let token = "CBHREJ1TsBOQ_uj3483UeSzWv_JcOIKPbKiH6mlSERU58"
let canonical = "https://www.xiaohongshu.com/explore/\(note)"

@Suite(.serialized) struct NormalizeCLITests {
  @Test func oneURLArgument() throws {
    let run = try NormalizeBinary.run([
      "https://www.xiaohongshu.com/discovery/item/\(note)?xsec_token=\(token)%3D&type=normal"
    ])
    #expect(run.status == 0)
    #expect(run.stdout == "\(canonical)?xsec_token=\(token)%3D\n")
    #expect(run.stderr == "")
  }

  @Test func textOutputStaysAlignedWithInputLines() throws {
    let input = """
      https://www.xiaohongshu.com/explore/\(note)
      no link here

      https://example.com/page
      13 我是DM发布了一篇小红书笔记，快来看吧！ 😆 F02MULzeoQVJ7YY 😆 https://www.xiaohongshu.com/user/profile/\(user)，复制本条信息
      """
    let run = try NormalizeBinary.run([], stdin: input + "\n")
    #expect(run.status == 1)
    #expect(run.stdoutLines == [canonical, "", "", "", "https://www.xiaohongshu.com/user/profile/\(user)"])
    let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("normalize: input ") }
    #expect(errors.count == 3)
    #expect(run.stderr.contains("normalize: 5 inputs: 2 normalized, 3 failed (no_link 2, unsupported 1)"))
    #expect(errors[0].hasPrefix("normalize: input 2: no_link: "))
    #expect(errors[1].hasPrefix("normalize: input 3: no_link: "))
    #expect(errors[2].hasPrefix("normalize: input 4: unsupported: "))
  }

  @Test func jsonLinesFields() throws {
    let input =
      "https://www.xiaohongshu.com/user/profile/\(user)/\(note)?xsec_token=\(token)%3D&xsec_source=pc_user&share_id=1\nhttp://xhslink.com/a/AbCd123\n"
    let run = try NormalizeBinary.run(["--format", "jsonl", "--offline", "--quiet"], stdin: input)
    #expect(run.status == 1)
    #expect(run.stderr == "")
    let lines = run.stdoutLines
    #expect(lines.count == 2)
    let ok = try jsonObject(lines[0])
    #expect(ok["ok"] as? Bool == true)
    #expect(ok["platform"] as? String == "xiaohongshu")
    #expect(ok["kind"] as? String == "note")
    #expect(ok["id"] as? String == note)
    #expect(ok["canonical_url"] as? String == "\(canonical)?xsec_token=\(token)%3D&xsec_source=pc_user")
    #expect(ok["url"] as? String == input.split(separator: "\n")[0].description)
    #expect(ok["handler"] as? String == "xiaohongshu.url")
    #expect(ok["user_id"] as? String == user)
    #expect(ok["xsec_token"] as? String == "\(token)=")
    #expect(ok["xsec_source"] as? String == "pc_user")
    #expect(ok["error"] is NSNull)
    let attempts = try #require(ok["attempts"] as? [[String: Any]])
    #expect(attempts.count == 1)
    #expect(attempts[0]["handler"] as? String == "xiaohongshu.url")
    #expect(attempts[0]["outcome"] as? String == "succeeded")
    #expect(attempts[0]["ms"] is NSNumber)
    for key in ["input", "ok", "platform", "kind", "id", "canonical_url", "url", "handler", "attempts", "error"] {
      #expect(ok[key] != nil, "missing \(key)")
    }
    let failed = try jsonObject(lines[1])
    #expect(failed["ok"] as? Bool == false)
    #expect(failed["id"] is NSNull)
    let error = try #require(failed["error"] as? [String: Any])
    #expect(error["code"] as? String == "needs_network")
    #expect((error["message"] as? String)?.isEmpty == false)
  }

  @Test func tsvColumns() throws {
    let run = try NormalizeBinary.run(["--format=tsv", "https://www.rednote.com/explore/\(note)", "nothing"])
    #expect(run.status == 1)
    #expect(
      run.stdoutLines == [
        "1\tok\txiaohongshu\tnote\t\(note)\t\(canonical)\txiaohongshu.url",
        "2\tno_link\t\t\t\t\t",
      ])
    #expect(run.stderr.hasPrefix("normalize: input 2: no_link"))
  }

  @Test func whichIsADryRun() throws {
    let run = try NormalizeBinary.run([
      "--which", "https://www.xiaohongshu.com/explore/\(note)", "xhslink.com/a/abcdef",
      "https://www.xiaohongshu.com/x/\(note)",
      "https://example.com/",
    ])
    // The fallback also takes a well-formed URL (it would run if the strict parser declined).
    #expect(
      run.stdoutLines == [
        "xiaohongshu.url,xiaohongshu.id-fallback", "xiaohongshu.cache,xiaohongshu.redirect,xiaohongshu.short-link",
        "xiaohongshu.id-fallback", "",
      ])
    let withToken = try NormalizeBinary.run(
      ["--which", "--no-cache", "xhslink.com/a/abcdef"], stdin: "", environment: ["JUSTONEAPI_TOKEN": "t0ken"])
    #expect(withToken.stdoutLines == ["xiaohongshu.justoneapi,xiaohongshu.redirect,xiaohongshu.short-link"])
    let chosen = try NormalizeBinary.run([
      "--which", "--offline", "--no-cache", "--resolvers", "redirect", "xhslink.com/a/abcdef",
    ])
    #expect(chosen.stdoutLines == ["xiaohongshu.short-link"])
    #expect(run.status == 1)
  }

  @Test func explainWritesTheTrailToStderr() throws {
    let run = try NormalizeBinary.run(["--explain", "https://www.xiaohongshu.com/explore/\(note)/comments"])
    #expect(run.status == 0)
    #expect(run.stdout == "\(canonical)\n")
    #expect(run.stderr.contains("input 1: https://www.xiaohongshu.com/explore/\(note)/comments"))
    // The strict parser does not take the path at all, so the fallback is the only candidate.
    #expect(run.stderr.contains("1. xiaohongshu.id-fallback succeeded: note id recovered from an unrecognized path"))
    #expect(run.stderr.contains("=> xiaohongshu note \(note) by xiaohongshu.id-fallback"))
  }

  @Test func argumentsAndStdinKeepTheirOrder() throws {
    let run = try NormalizeBinary.run(
      ["https://www.xiaohongshu.com/explore/\(note)", "-", "https://www.xiaohongshu.com/user/profile/\(user)"],
      stdin: "xiaohongshu.com/search_result/\(note)\nnothing\n")
    #expect(run.stdoutLines == [canonical, canonical, "", "https://www.xiaohongshu.com/user/profile/\(user)"])
    #expect(run.stderr.hasPrefix("normalize: input 3: no_link"))
  }

  @Test func usageErrorsExitTwoWithAHint() throws {
    for arguments in [["--bogus"], ["--format", "xml"], ["--format"], ["--offline=yes"]] {
      let run = try NormalizeBinary.run(arguments)
      #expect(run.status == 2, "\(arguments)")
      #expect(run.stdout == "")
      #expect(run.stderr.contains("normalize: "))
      #expect(run.stderr.contains("--help"))
    }
  }

  @Test func helpAndVersion() throws {
    let help = try NormalizeBinary.run(["--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("usage: normalize"))
    let version = try NormalizeBinary.run(["--version"])
    #expect(version.status == 0)
    #expect(version.stdout.hasPrefix("normalize "))
  }

  @Test func emptyInputIsSuccess() throws {
    let run = try NormalizeBinary.run([], stdin: "")
    #expect(run.status == 0)
    #expect(run.stdout == "")
  }
}

@Suite(.serialized) struct RulePackCLITests {
  func write(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "pack-\(UUID().uuidString).json"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func packsLoadAndTakePrecedence() throws {
    let pack = try write(
      #"{"platform": "acme", "hosts": ["acme.example"], "forms": [{"kind": "post", "pattern": "^/p/(?<id>[0-9]+)/?(?:\\?|$)", "canonical": "https://acme.example/p/{id}"}], "keep": ["lang"]}"#
    )
    let override = try write(
      #"{"platform": "xiaohongshu", "hosts": ["www.xiaohongshu.com"], "forms": [{"kind": "note", "pattern": "^/explore/(?<id>[0-9a-f]{24})$", "canonical": "https://www.xiaohongshu.com/discovery/item/{id}"}]}"#
    )
    defer {
      try? FileManager.default.removeItem(atPath: pack)
      try? FileManager.default.removeItem(atPath: override)
    }
    let run = try NormalizeBinary.run([
      "--rules", pack, "--rules=\(override)", "--format", "tsv", "https://acme.example/p/12?lang=en&x=1",
      "https://www.xiaohongshu.com/explore/\(note)",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(
      run.stdoutLines == [
        "1\tok\tacme\tpost\t12\thttps://acme.example/p/12?lang=en\tacme.rules",
        "2\tok\txiaohongshu\tnote\t\(note)\thttps://www.xiaohongshu.com/discovery/item/\(note)\txiaohongshu.rules",
      ])
  }

  @Test func aBadPackStopsTheRunBeforeAnyInputIsRead() throws {
    let bad = try write(
      #"{"platform": "bad", "hosts": ["b.example"], "forms": [{"kind": "x", "pattern": "^/p/(?<id>[0-9+)", "canonical": "https://b.example/{id}"}]}"#
    )
    defer { try? FileManager.default.removeItem(atPath: bad) }
    let run = try NormalizeBinary.run(
      ["--rules", bad, "--format", "jsonl"], stdin: "https://www.xiaohongshu.com/explore/\(note)\n")
    #expect(run.status == 2)
    #expect(run.stdout == "")
    #expect(run.stderr.contains(bad))
    #expect(run.stderr.contains("$.forms[0].pattern"))
    #expect(run.stderr.contains("PCRE2 error at offset 16"))
    let missing = try NormalizeBinary.run(["--rules", "/nonexistent.json", "x"])
    #expect(missing.status == 2)
    #expect(missing.stdout == "")
  }
}
