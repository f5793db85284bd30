import BilibiliPlugin
import DouyinPlugin
import KuaishouPlugin
import LinkNormalizerCore
import LinkNormalizerTestSupport
import PCRE2
import RulePacks
import XiaohongshuPlugin

#if canImport(Glibc)
  import Glibc
#endif

// normalize-bench [section...]   sections: memory startup cli core routing remote cache (default: all)
// Build with `swift build -c release` first; the CLI sections run ./normalize from the same build.

let requested = Set(CommandLine.arguments.dropFirst())
func wants(_ section: String) -> Bool { (requested.isEmpty && section != "profile") || requested.contains(section) }
func format(_ value: Double, _ digits: Int = 2) -> String {
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let rounded = (value * scale).rounded() / scale
  return String(rounded)
}

let workDirectory = "/tmp/linknormalizer-bench-\(getpid())"
mkdir(workDirectory, 0o755)
defer { _ = system("rm -rf \(workDirectory)") }
let normalizePath = builtExecutable("normalize", override: "NORMALIZE_BIN") ?? "normalize"

if wants("memory") {
  print("== peak memory (jsonl)")
  let path = workDirectory + "/lines.txt"
  for count in [10_000, 100_000, 1_000_000] {
    writeCorpus(count, to: path)
    let run = spawn(normalizePath, ["--format", "jsonl"], stdinPath: path)
    print(
      "\(count) lines: peak RSS \(format(Double(run.maxRSSKiB) / 1024, 1)) MB, \(format(run.seconds, 2)) s, exit \(run.status)"
    )
  }
}

if wants("startup") {
  print("== startup")
  var times: [Double] = []
  for _ in 0..<50 {
    times.append(spawn(normalizePath, ["https://www.xiaohongshu.com/explore/69a8b0b9000000001a02fb14"]).seconds)
  }
  print("normalize <one url>: median \(format(median(times) * 1e3, 1)) ms, best \(format(times.min()! * 1e3, 1)) ms")
}

if wants("cli") {
  print("== cli (\(normalizePath))")
  let path = workDirectory + "/200k.txt"
  writeCorpus(200_000, to: path)
  for format_ in ["jsonl", "text"] {
    var times: [Double] = []
    for _ in 0..<5 { times.append(spawn(normalizePath, ["--format", format_], stdinPath: path).seconds) }
    print("200,000 mixed lines to \(format_): median \(format(median(times), 3)) s, best \(format(times.min()!, 3)) s")
  }
}

if wants("core") {
  print("== core (in-process, one thread)")
  var corpus = Corpus()
  let lines = corpus.lines(200_000)
  let chain = xiaohongshuChain()
  let links = lines.compactMap { chain.findLink(in: $0)?.link }
  let pattern = Xiaohongshu.urlParser.forms[0].pattern
  // Pattern matching alone: the note form against each link's path and query (the subject the
  // parsers see). "Warm": 10,000 distinct subjects matched 50 times each (they stay in cache);
  // "cold": every one of the 200,000 subjects once per pass.
  let targets = links.map(\.target)
  let warm = Array(targets.prefix(10_000))
  var matched = 0
  var start = MonotonicTime.seconds()
  for _ in 0..<50 {
    for target in warm where (try? pattern.matches(target)) == true { matched += 1 }
  }
  var elapsed = MonotonicTime.seconds() - start
  var matches = Double(warm.count * 50)
  print(
    "pattern matches, warm: \(format(matches / elapsed / 1e6)) M/s (\(format(elapsed / matches * 1e9, 0)) ns each, \(matched) matched)"
  )
  matched = 0
  start = MonotonicTime.seconds()
  for _ in 0..<5 {
    for target in targets where (try? pattern.matches(target)) == true { matched += 1 }
  }
  elapsed = MonotonicTime.seconds() - start
  matches = Double(targets.count * 5)
  print(
    "pattern matches, cold: \(format(matches / elapsed / 1e6)) M/s (\(format(elapsed / matches * 1e9, 0)) ns each, \(matched) matched)"
  )
  // Whole normalization: extraction, routing, parsing, canonical URL, provenance.
  start = MonotonicTime.seconds()
  let normalized = normalizedCount(lines, with: chain)
  elapsed = MonotonicTime.seconds() - start
  print(
    "full normalization: \(format(Double(lines.count) / elapsed / 1e6)) M inputs/s (\(format(elapsed / Double(lines.count) * 1e9, 0)) ns each, \(normalized) normalized)"
  )
}

if wants("routing") {
  print("== routing cost (in-process, one thread, same Xiaohongshu mix)")
  var corpus = Corpus()
  let lines = corpus.lines(100_000)
  /// One pass over the mix; inputs per second.
  func throughput(_ registry: NormalizerRegistry) -> Double {
    let chain = FallbackChain(registry: registry, offline: true)
    let start = MonotonicTime.seconds()
    precondition(normalizedCount(lines, with: chain) == lines.count)
    return Double(lines.count) / (MonotonicTime.seconds() - start)
  }
  var xiaohongshuOnly = NormalizerRegistry()
  xiaohongshuOnly.install(Xiaohongshu.platform)
  var everything = NormalizerRegistry()
  for platform in [Xiaohongshu.platform, Douyin.platform, Kuaishou.platform, Bilibili.platform] {
    everything.install(platform)
  }
  let packs = (0..<50).map { i in
    """
    {"platform": "pack\(i)", "hosts": ["site\(i).example", "www.site\(i).example"],
     "forms": [{"kind": "post", "pattern": "^/p/(?<id>[0-9]+)/?(?:\\\\?|$)", "canonical": "https://site\(i).example/p/{id}"},
               {"kind": "user", "pattern": "^/u/(?<id>[a-z0-9]+)/?(?:\\\\?|$)", "canonical": "https://site\(i).example/u/{id}"}],
     "keep": ["lang"],
     "short_links": {"hosts": ["s\(i).example"], "pattern": "^/[A-Za-z0-9]{4,12}/?$"}}
    """
  }
  for (i, json) in packs.enumerated() {
    for platform in try! RulePack.parse(Array(json.utf8), file: "pack\(i).json") {
      everything.install(platform, parserPriority: Priority.rulePack)
    }
  }
  // Alternate the two registries and keep the best pass of each, so drift on a shared machine
  // affects both alike.
  var base = 0.0
  var full = 0.0
  for _ in 0..<6 {
    base = max(base, throughput(xiaohongshuOnly))
    full = max(full, throughput(everything))
  }
  print("Xiaohongshu only: \(format(base / 1e3, 1)) k inputs/s")
  print(
    "4 built-in platforms + 50 rule packs: \(format(full / 1e3, 1)) k inputs/s (\(format(base / full, 3))x the cost)")
}

if requested.contains("profile") {
  // Not part of "all": a steady loop to attach a profiler to (PROFILE_LINES, default 50,000).
  var corpus = Corpus()
  let lines = corpus.lines(Int(String(cString: getenv("PROFILE_LINES") ?? strdup("50000"))) ?? 50_000)
  let chain = xiaohongshuChain()
  let passes = lines.count < 50_000 ? 2 : 20
  var normalized = 0
  let start = MonotonicTime.seconds()
  for _ in 0..<passes { normalized += normalizedCount(lines, with: chain) }
  print(
    "profile loop: \(format((MonotonicTime.seconds() - start) / Double(lines.count * passes) * 1e9, 0)) ns per input (\(normalized))"
  )
}

/// An offline chain with the Xiaohongshu platform alone (the benchmark mix's platform).
func xiaohongshuChain() -> FallbackChain {
  var registry = NormalizerRegistry()
  registry.install(Xiaohongshu.platform)
  return FallbackChain(registry: registry, offline: true)
}

/// How many of `lines` the chain normalizes, through the batch fast path.
func normalizedCount(_ lines: [String], with chain: FallbackChain) -> Int {
  var normalized = 0
  for line in lines {
    if let record = chain.normalizeSynchronously(line), record.link != nil { normalized += 1 }
  }
  return normalized
}

/// A stand-in Just One API on loopback that answers every share-convert call after `delay` ms.
func standInAPI(delay: Int) -> LoopbackHTTPServer {
  try! LoopbackHTTPServer { request in
    let code = (request.queryValue("shareUrl") ?? "").split(separator: "/").last.map(String.init) ?? "x"
    var hex = ""
    for byte in code.utf8 { hex += String(byte, radix: 16) }
    let id = String((hex + String(repeating: "0", count: 24)).prefix(24))
    return LoopbackHTTPServer.Response(
      headers: [("Content-Type", "application/json")],
      text:
        "{\"code\":0,\"data\":{\"redirect_url\":\"https://www.xiaohongshu.com/discovery/item/\(id)?xsec_token=AB%3D\"}}",
      delayMilliseconds: delay)
  }
}

func shortLinks(_ count: Int, distinct: Int) -> [String] {
  (0..<count).map { "http://xhslink.com/a/L\(String(100_000 + $0 % distinct, radix: 36))q" }
}

if wants("remote") {
  print("== remote resolution against a stand-in API adding 50 ms per answer")
  let server = standInAPI(delay: 50)
  defer { server.stop() }
  let environment = ["JUSTONEAPI_TOKEN": "bench-token", "JUSTONEAPI_BASE_URL": server.baseURL]
  let path = workDirectory + "/short.txt"
  writeLines(shortLinks(2_000, distinct: 2_000), to: path)
  var run = spawn(
    normalizePath, ["--no-cache", "--quiet", "--concurrency", "64"], stdinPath: path, environment: environment)
  let ideal = 2_000 * 0.050 / 64
  print(
    "2,000 distinct short links at concurrency 64: \(format(run.seconds, 2)) s (ideal \(format(ideal, 2)) s, \(format(run.seconds / ideal, 2))x), \(server.requestCount) calls, exit \(run.status)"
  )
  let before = server.requestCount
  writeLines(shortLinks(10_000, distinct: 1_000), to: path)
  run = spawn(
    normalizePath, ["--no-cache", "--quiet", "--concurrency", "64"], stdinPath: path, environment: environment)
  print(
    "10,000 inputs holding 1,000 distinct links: \(server.requestCount - before) calls, \(format(run.seconds, 2)) s, exit \(run.status)"
  )
}

if wants("cache") {
  print("== cache: a second run over the same short links")
  let server = standInAPI(delay: 0)
  defer { server.stop() }
  let cachePath = workDirectory + "/cache/cache.sqlite"
  let environment = ["JUSTONEAPI_TOKEN": "bench-token", "JUSTONEAPI_BASE_URL": server.baseURL]
  let path = workDirectory + "/short10k.txt"
  writeLines(shortLinks(10_000, distinct: 10_000), to: path)
  let first = spawn(
    normalizePath, ["--cache", cachePath, "--quiet", "--concurrency", "64"], stdinPath: path, environment: environment)
  let calls = server.requestCount
  var times: [Double] = []
  for _ in 0..<3 {
    times.append(
      spawn(normalizePath, ["--cache", cachePath, "--quiet"], stdinPath: path, environment: environment).seconds)
  }
  print(
    "10,000 short links: first run \(format(first.seconds, 2)) s with \(calls) calls; cached run median \(format(median(times), 3)) s with \(server.requestCount - calls) calls"
  )
}
