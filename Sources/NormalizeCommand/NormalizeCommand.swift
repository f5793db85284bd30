public import LinkNormalizerCore
import BilibiliPlugin
import DouyinPlugin
import KuaishouPlugin
import RulePacks
import XiaohongshuPlugin

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `normalize` command: one place maps every outcome to output and an exit code.
///
/// Exit codes: 0 every input normalized; 1 at least one input failed; 2 usage error.
public enum NormalizeCommand {
  public static let version = "0.1.0"

  /// Exit codes, as documented in the README.
  public enum ExitCode: Int32 {
    case success = 0
    case someInputsFailed = 1
    case usage = 2
  }

  /// The platforms built into the command.
  public static var builtInPlatforms: [Platform] {
    [Xiaohongshu.platform, Douyin.platform, Kuaishou.platform, Bilibili.platform]
  }

  /// Runs the command with `arguments` (without the program name); returns the exit code.
  public static func main(_ arguments: [String]) async -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    let out = DescriptorWriter(fd: 1)
    let err = DescriptorWriter(fd: 2)
    let options: Options
    do {
      options = try OptionParser.parse(arguments)
    } catch {
      err.write("normalize: \(error.message)\nusage: normalize [options] [INPUT...]  (normalize --help for more)\n")
      return ExitCode.usage.rawValue
    }
    if options.help {
      out.write(helpText)
      return ExitCode.success.rawValue
    }
    if options.version {
      out.write("normalize \(version)\n")
      return ExitCode.success.rawValue
    }

    // Rule packs load before any input is read; a bad pack stops the run with exit code 2.
    var packs: [Platform] = []
    for file in options.rulePacks {
      do {
        packs += try RulePack.load(contentsOf: file)
      } catch {
        err.write("normalize: bad rule pack: \(error.description)\n")
        return ExitCode.usage.rawValue
      }
    }
    var registry = NormalizerRegistry()
    for platform in builtInPlatforms { registry.install(platform) }
    for pack in packs { registry.install(pack, parserPriority: Priority.rulePack) }
    let chain = FallbackChain(registry: registry, offline: options.offline)
    let formatter = RecordFormatter(format: options.format, explain: options.explain, maxLineBytes: 65_536)
    let runner = BatchRunner(
      configuration: .init(chain: chain, formatter: formatter, which: options.which), out: out, err: err)
    await runner.run(segments(for: options.inputs))
    let summary = runner.summary
    if let message = summary.inputError {
      err.write("normalize: \(message)\n")
      return ExitCode.someInputsFailed.rawValue
    }
    return summary.tally.failed == 0 ? ExitCode.success.rawValue : ExitCode.someInputsFailed.rawValue
  }

  static func segments(for inputs: [String]) -> [InputSegment] {
    guard !inputs.isEmpty else { return [.standardInput] }
    var result: [InputSegment] = []
    var pending: [String] = []
    for input in inputs {
      if input == "-" {
        if !pending.isEmpty { result.append(.arguments(pending)) }
        pending = []
        result.append(.standardInput)
      } else {
        pending.append(input)
      }
    }
    if !pending.isEmpty { result.append(.arguments(pending)) }
    return result
  }

  static let helpText = """
    usage: normalize [options] [INPUT...]

    Turns pasted links (full URLs, short links, app share text) into stable identities.
    Inputs are the arguments; with none, or with '-', one input per line of stdin.
    One output record per input, in input order.

    Output:
      -f, --format FORMAT   text (default): the canonical URL, or an empty line on failure
                            jsonl: one JSON object per input
                            tsv: index, status, platform, kind, id, canonical_url, handler
          --jsonl, --tsv    shorthands for --format
          --explain         write every input's attempt trail to stderr
          --which           dry run: list the handlers that would be tried, in order

    Resolution:
          --offline         never make remote calls (short links fail with needs_network)

    Platforms:
          --rules FILE      load a JSON rule pack (repeatable; see README); its forms take
                            precedence over the built-in ones

    Other:
      -h, --help            this text
      -V, --version         the version

    Exit codes: 0 all inputs normalized, 1 some input failed, 2 usage error.
    Error codes: no_link, unsupported, needs_network, invalid_input (see README).

    """
}
