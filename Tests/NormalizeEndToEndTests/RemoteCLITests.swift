import Foundation
import LinkNormalizerTestSupport
import Testing

/// End-to-end runs of the built binary against stand-in servers on 127.0.0.1: the Just One API,
/// and a short-link host for the redirect resolver.
@Suite(.serialized) struct RemoteCLITests {
  static let secret = "SECRET-token-6f1d2c9a77"
  static let resolved =
    "https://www.xiaohongshu.com/discovery/item/\(note)?app_platform=android&xsec_source=app_share&xsec_token=\(token)%3D&share_id=abc"
  static let expectedCanonical = "\(canonical)?xsec_token=\(token)%3D&xsec_source=app_share"

  /// A stand-in Just One API that converts every short link to `resolved` (or runs `answer`).
  func api(_ answer: (@Sendable (LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response)? = nil) throws
    -> LoopbackHTTPServer
  {
    let resolved = Self.resolved
    return try LoopbackHTTPServer { request in
      if let answer { return answer(request) }
      return .json(#"{"code":0,"message":"success","data":{"redirect_url":"\#(resolved)"}}"#)
    }
  }

  func run(
    _ arguments: [String], stdin: String = "", api: LoopbackHTTPServer? = nil, redirect: LoopbackHTTPServer? = nil,
    cacheHome: String? = nil, token: String? = secret
  ) throws -> NormalizeBinary.Run {
    var environment: [String: String] = [:]
    if let token { environment["JUSTONEAPI_TOKEN"] = token }
    if let api { environment["JUSTONEAPI_BASE_URL"] = api.baseURL }
    if let redirect { environment["NORMALIZE_TEST_REDIRECT_ENDPOINTS"] = "xhslink.com=\(redirect.port)" }
    environment["XDG_CACHE_HOME"] = cacheHome ?? NormalizeBinary.temporaryDirectory()
    return try NormalizeBinary.run(arguments, stdin: Data(stdin.utf8), environment: environment)
  }

  @Test func theAPIResolvesAShortLinkAndTheRecordSaysWhoDidWhat() throws {
    let server = try api()
    defer { server.stop() }
    let run = try run(
      ["--format", "jsonl", "--quiet", "13 笔记 http://xhslink.com/a/AbCd123，复制本条信息"], api: server, token: Self.secret)
    #expect(run.status == 0, "\(run.stderr)")
    let record = try jsonObject(run.stdoutLines[0])
    #expect(record["ok"] as? Bool == true)
    #expect(record["id"] as? String == note)
    #expect(record["canonical_url"] as? String == Self.expectedCanonical)
    #expect(record["handler"] as? String == "xiaohongshu.justoneapi")
    #expect(record["resolver"] as? String == "justoneapi")
    #expect(record["parser"] as? String == "xiaohongshu.url")
    #expect(record["resolved_url"] as? String == Self.resolved)
    #expect(record["url"] as? String == "http://xhslink.com/a/AbCd123")
    #expect(server.requestCount == 1)
    let request = try #require(server.requests.first)
    #expect(request.path == "/api/xiaohongshu/share-url-transfer/v1")
    #expect(request.queryValue("token") == Self.secret)
    #expect(request.queryValue("shareUrl") == "http://xhslink.com/a/AbCd123")
  }

  @Test func afterAnAuthFailureTheAPIIsSkippedAndTheRedirectResolverAnswers() throws {
    let server = try api { _ in .json(#"{"code":100,"message":"invalid token","data":null}"#) }
    let shortHost = try LoopbackHTTPServer { _ in .redirect(Self.resolved) }
    defer {
      server.stop()
      shortHost.stop()
    }
    let input = "http://xhslink.com/a/One1111\nhttp://xhslink.com/a/Two2222\nhttp://xhslink.com/a/Thr3333\n"
    let statsPath = NormalizeBinary.temporaryDirectory() + "/stats.json"
    let run = try run(
      ["--format", "jsonl", "--concurrency", "1", "--stats-json", statsPath], stdin: input, api: server,
      redirect: shortHost)
    #expect(run.status == 0, "\(run.stderr)")
    let records = try run.stdoutLines.map(jsonObject)
    #expect(records.count == 3)
    #expect(server.requestCount == 1, "no further calls after auth")
    #expect(shortHost.requestCount == 3)
    for record in records {
      #expect(record["handler"] as? String == "xiaohongshu.redirect")
      #expect(record["canonical_url"] as? String == Self.expectedCanonical)
    }
    let firstTrail = try #require(records[0]["attempts"] as? [[String: Any]])
    #expect(
      firstTrail.map { $0["handler"] as? String } == [
        "xiaohongshu.cache", "xiaohongshu.justoneapi", "xiaohongshu.redirect",
      ])
    #expect(firstTrail[1]["outcome"] as? String == "failed")
    #expect(firstTrail[1]["error"] as? String == "auth")
    let laterTrail = try #require(records[2]["attempts"] as? [[String: Any]])
    #expect(laterTrail[1]["outcome"] as? String == "skipped")
    #expect(laterTrail[1]["error"] as? String == "auth")
    let stats =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statsPath))) as? [String: Any]
    let calls = try #require(stats?["remote_calls"] as? [String: Int])
    #expect(calls["justoneapi"] == 1)
    #expect(calls["redirect"] == 3)
    #expect(run.stderr.contains("remote calls: justoneapi 1, redirect 3"))
  }

  @Test func theTokenAppearsNowhereEvenWhenTheServerEchoesIt() throws {
    let secret = Self.secret
    let server = try api { request in
      switch request.queryValue("shareUrl") ?? "" {
      case let url where url.hasSuffix("1"):
        return .json(#"{"code":400,"message":"bad params for token \#(secret)","data":null}"#)
      case let url where url.hasSuffix("2"):
        return .json(#"{"code":0,"data":{"redirect_url":"https://evil.example/?token=\#(secret)"}}"#)
      case let url where url.hasSuffix("3"):
        return LoopbackHTTPServer.Response(status: 500, text: "<html>error for \(secret)</html>")
      default:
        return .json(#"{"code":601,"message":"balance too low: \#(secret)"}"#)
      }
    }
    defer { server.stop() }
    let input =
      "http://xhslink.com/a/Aaaaaa1\nhttp://xhslink.com/a/Aaaaaa2\nhttp://xhslink.com/a/Aaaaaa3\nhttp://xhslink.com/a/Aaaaaa4\n"
    for format in ["jsonl", "text", "tsv"] {
      let run = try run(
        [
          "--format", format, "--explain", "--resolvers", "api", "--retries", "1", "--concurrency", "1", "--token",
          secret,
        ],
        stdin: input, api: server, token: nil)
      #expect(run.status == 1)
      #expect(!run.stdout.contains(secret), "\(format) stdout leaks the token")
      #expect(!run.stderr.contains(secret), "\(format) stderr leaks the token")
      #expect(!run.stdout.contains("6f1d2c9a77") && !run.stderr.contains("6f1d2c9a77"))
      #expect(run.stderr.contains("api_error") || run.stderr.contains("invalid_params"))
    }
  }

  @Test func identicalLinksCostOneCall() throws {
    let server = try api()
    defer { server.stop() }
    let input = String(repeating: "http://xhslink.com/a/Same123\nhttps://xhslink.com/a/Same123\n", count: 20)
    let statsPath = NormalizeBinary.temporaryDirectory() + "/stats.json"
    let run = try run(["--stats-json", statsPath], stdin: input, api: server)
    #expect(run.status == 0)
    #expect(run.stdoutLines.count == 40)
    #expect(Set(run.stdoutLines) == [Self.expectedCanonical])
    #expect(server.requestCount == 1)
    let stats =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statsPath))) as? [String: Any]
    #expect(stats?["deduplicated"] as? Int == 39)
  }

  @Test func outputKeepsInputOrderWhateverFinishesFirst() throws {
    let server = try api { request in
      let url = request.queryValue("shareUrl") ?? ""
      let digit = Int(String(url.last ?? "0")) ?? 0
      // Earlier inputs answer later.
      let id = String(repeating: String(digit), count: 24)
      let body = "{\"code\":0,\"data\":{\"redirect_url\":\"https://www.xiaohongshu.com/explore/" + id + "\"}}"
      return LoopbackHTTPServer.Response(
        headers: [("Content-Type", "application/json")], text: body, delayMilliseconds: (9 - digit) * 30)
    }
    defer { server.stop() }
    let input =
      (1...9).map { "http://xhslink.com/a/Order0\($0)" }.joined(separator: "\n")
      + "\nhttps://www.xiaohongshu.com/explore/\(note)\n"
    let run = try run(["--concurrency", "9", "--no-cache"], stdin: input, api: server)
    #expect(run.status == 0)
    #expect(
      run.stdoutLines
        == (1...9).map { "https://www.xiaohongshu.com/explore/\(String(repeating: "\($0)", count: 24))" } + [canonical])
  }

  @Test func resolverChoiceAndOffline() throws {
    let server = try api()
    defer { server.stop() }
    let noToken = try run(["--resolvers", "api", "xhslink.com/a/Abcdef1"], token: nil)
    #expect(noToken.status == 2)
    #expect(noToken.stderr.contains("JUSTONEAPI_TOKEN"))
    let offline = try run(["--offline", "--format", "tsv", "xhslink.com/a/Abcdef1"], api: server)
    #expect(offline.status == 1)
    #expect(offline.stdoutLines == ["1\tneeds_network\t\t\t\t\t"])
    #expect(server.requestCount == 0)
  }

  @Test func aSecondRunIsServedFromTheCacheWithZeroCalls() throws {
    let server = try api()
    defer { server.stop() }
    let home = NormalizeBinary.temporaryDirectory()
    let input = "http://xhslink.com/a/Cache01\nhttp://xhslink.com/a/Cache02\n"
    let first = try run(["--format", "jsonl"], stdin: input, api: server, cacheHome: home)
    #expect(first.status == 0)
    #expect(server.requestCount == 2)
    #expect(FileManager.default.fileExists(atPath: home + "/linknormalizer/cache.sqlite"))
    let second = try run(["--format", "jsonl"], stdin: input, api: server, cacheHome: home)
    #expect(second.status == 0)
    #expect(server.requestCount == 2, "the second run made remote calls")
    for line in second.stdoutLines {
      let record = try jsonObject(line)
      #expect(record["cached"] as? Bool == true)
      #expect(record["resolver"] as? String == "justoneapi")
      #expect(record["handler"] as? String == "xiaohongshu.cache")
      #expect(record["canonical_url"] as? String == Self.expectedCanonical)
      let trail = try #require(record["attempts"] as? [[String: Any]])
      #expect(trail.count == 1)
      #expect((trail[0]["note"] as? String)?.contains("justoneapi") == true)
    }
    #expect(second.stderr.contains("cache hits 2"))
    // An expired entry is resolved again.
    _ = try run(["--cache-ttl", "0s"], stdin: input, api: server, cacheHome: home)
    #expect(server.requestCount == 4)
    // --no-cache neither reads nor writes.
    _ = try run(["--no-cache"], stdin: input, api: server, cacheHome: home)
    #expect(server.requestCount == 6)
  }

  @Test func deadShortLinksAreCachedBrieflyErrorsNever() throws {
    let shortHost = try LoopbackHTTPServer { request in
      request.path.hasSuffix("Dead001") ? LoopbackHTTPServer.Response(status: 404, text: "gone") : .drop
    }
    defer { shortHost.stop() }
    let home = NormalizeBinary.temporaryDirectory()
    let input = "http://xhslink.com/a/Dead001\nhttp://xhslink.com/a/Drop001\n"
    let first = try run(
      ["--format", "tsv", "--retries", "0"], stdin: input, redirect: shortHost, cacheHome: home, token: nil)
    #expect(first.stdoutLines.map { $0.split(separator: "\t").dropFirst().first } == ["not_found", "network"])
    let calls = shortHost.requestCount
    let second = try run(
      ["--format", "tsv", "--retries", "0"], stdin: input, redirect: shortHost, cacheHome: home, token: nil)
    #expect(second.stdoutLines.map { $0.split(separator: "\t").dropFirst().first } == ["not_found", "network"])
    #expect(shortHost.requestCount == calls + 1, "the dead link came from the cache, the network error was retried")
  }

  @Test func aCorruptCacheFileWarnsOnceAndLosesNothing() throws {
    let server = try api()
    defer { server.stop() }
    let directory = NormalizeBinary.temporaryDirectory()
    let path = directory + "/cache.sqlite"
    try Data(repeating: 0x5A, count: 8_192).write(to: URL(fileURLWithPath: path))
    let input =
      "http://xhslink.com/a/Corrupt1\nhttp://xhslink.com/a/Corrupt2\nhttps://www.xiaohongshu.com/explore/\(note)\n"
    let run = try run(["--cache", path], stdin: input, api: server)
    #expect(run.status == 0)
    #expect(run.stdoutLines == [Self.expectedCanonical, Self.expectedCanonical, canonical])
    let warnings = run.stderr.split(separator: "\n").filter { $0.contains("cache is off") }
    #expect(warnings.count == 1, "\(run.stderr)")
    #expect(run.stderr.contains(path))
  }

  @Test func severalProcessesShareOneCacheFile() throws {
    let server = try api()
    defer { server.stop() }
    let home = NormalizeBinary.temporaryDirectory()
    let groups = (0..<4).map { group in
      (0..<25).map { "http://xhslink.com/a/P\(group)x\($0)yz" }.joined(separator: "\n") + "\n"
    }
    let results = ResultsBox()
    DispatchQueue.concurrentPerform(iterations: groups.count) { i in
      let outcome = try? run(["--quiet"], stdin: groups[i], api: server, cacheHome: home)
      results.append(outcome)
    }
    #expect(results.runs.count == 4)
    for outcome in results.runs {
      let run = try #require(outcome)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(!run.stderr.contains("locked"))
      #expect(run.stdoutLines.count == 25)
    }
    #expect(server.requestCount == 100)
    let again = try run(["--quiet"], stdin: groups.joined(), api: server, cacheHome: home)
    #expect(again.status == 0)
    #expect(server.requestCount == 100, "every entry written by the four processes is in the cache")
  }

  @Test func ctrlCWritesEveryAnsweredInputAndExits130() throws {
    let server = try api { _ in
      LoopbackHTTPServer.Response(
        headers: [("Content-Type", "application/json")], text: #"{"code":0,"data":"x"}"#, delayMilliseconds: 5_000)
    }
    defer { server.stop() }
    let started = try NormalizeBinary.start(
      ["--format", "tsv", "--no-cache", "--quiet"],
      environment: ["JUSTONEAPI_TOKEN": Self.secret, "JUSTONEAPI_BASE_URL": server.baseURL])
    let (process, input, output) = (started.process, started.input, started.output)
    input.fileHandleForWriting.write(
      Data("https://www.xiaohongshu.com/explore/\(note)\nhttp://xhslink.com/a/Slow001\nnothing\n".utf8))
    // Keep stdin open: the run is waiting on the slow API when Ctrl-C arrives.
    usleep(800_000)
    process.interrupt()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try? input.fileHandleForWriting.close()
    #expect(process.terminationStatus == 130)
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    #expect(lines.count == 3)
    #expect(lines.first?.hasPrefix("1\tok\t") == true)
    #expect(lines.dropFirst().first?.hasPrefix("2\tinterrupted") == true)
    #expect(lines.last?.hasPrefix("3\tno_link") == true)
  }

  @Test func aClosedStdoutEndsTheRunQuietly() throws {
    // Our own writes to the child's stdin fail once it has exited; that must not kill the tests.
    signal(SIGPIPE, SIG_IGN)
    let started = try NormalizeBinary.start(["--format", "jsonl"])
    let (process, input, output, errors) = (started.process, started.input, started.output, started.errors)
    let line = "https://www.xiaohongshu.com/explore/\(note)\n"
    let writer = Thread {
      for _ in 0..<200 {
        try? input.fileHandleForWriting.write(contentsOf: Data(String(repeating: line, count: 1_000).utf8))
      }
      try? input.fileHandleForWriting.close()
    }
    writer.start()
    _ = output.fileHandleForReading.readData(ofLength: 100)
    try output.fileHandleForReading.close()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 141)
    #expect(stderr.isEmpty, "\(String(decoding: stderr, as: UTF8.self))")
  }
}

final class ResultsBox: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var runs: [NormalizeBinary.Run?] = []
  func append(_ run: NormalizeBinary.Run?) {
    lock.lock()
    runs.append(run)
    lock.unlock()
  }
}
