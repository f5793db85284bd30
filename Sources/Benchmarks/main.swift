import LinkNormalizerCore
import PCRE2
import XiaohongshuPlugin

#if canImport(Glibc)
  import Glibc
#endif

func readLines(_ path: String) -> [String] {
  guard let f = fopen(path, "r") else { fatalError("cannot open \(path)") }
  var lines: [String] = []
  var line: UnsafeMutablePointer<CChar>? = nil
  var cap = 0
  while getline(&line, &cap, f) > 0 {
    var s = String(cString: line!)
    if s.hasSuffix("\n") { s.removeLast() }
    lines.append(s)
  }
  fclose(f)
  return lines
}

let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : ".bench/c200k.txt"
let only = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : ""
let lines = readLines(path)
let clock = ContinuousClock()
func measure(_ label: String, _ n: Int, _ body: () -> Int) {
  if !only.isEmpty && !label.hasPrefix(only) { return }
  let start = clock.now
  let sink = body()
  let elapsed = clock.now - start
  let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
  print("\(label): \(Int(Double(n) / s)) /s  (\(String(format3(s * 1e9 / Double(n)))) ns each) [\(sink)]")
}
func format3(_ x: Double) -> String { String(Int(x * 10) / 10) }

var registry = NormalizerRegistry()
registry.install(Xiaohongshu.platform)
let chain = FallbackChain(registry: registry, offline: true)
let links = lines.compactMap { chain.findLink(in: $0)?.link }
let targets = links.map { $0.target }

measure("extract+route (findLink)", lines.count * 5) {
  var n = 0
  for _ in 0..<5 { for l in lines { if chain.findLink(in: l) != nil { n += 1 } } }
  return n
}
measure("ParsedLink parse", links.count) {
  var n = 0
  for l in links { if ParsedLink(source: l.source, range: l.range) != nil { n += 1 } }
  return n
}
let parser = Xiaohongshu.urlParser
measure("pattern match (first form, target)", targets.count) {
  var n = 0
  for t in targets { if (try? parser.forms[0].pattern.matches(t)) == true { n += 1 } }
  return n
}
measure("parser.accepts", links.count) {
  var n = 0
  for l in links { if parser.accepts(l) { n += 1 } }
  return n
}
measure("parser.normalizeNow", links.count * 10) {
  var n = 0
  for _ in 0..<10 { for l in links { if case .normalized = try! parser.normalizeNow(l) { n += 1 } } }
  return n
}
if !only.isEmpty { exit(0) }
let startAll = clock.now
var ok = 0
for l in lines {
  let r = await chain.normalize(l)
  if r.link != nil { ok += 1 }
}
let e = clock.now - startAll
print("chain.normalize: \(lines.count) in \(e) ok=\(ok)")
