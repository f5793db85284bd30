import BilibiliPlugin
import DouyinPlugin
import KuaishouPlugin
public import LinkNormalizerCore
import RulePacks
import Synchronization
import XiaohongshuPlugin

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `normalize` command: one place maps every outcome to output and an exit code.
///
/// Exit codes: 0 every input normalized; 1 at least one input failed; 2 usage or configuration
/// error; 130 interrupted; 141 standard output closed by its reader.
public enum NormalizeCommand {
  public static let version = "0.1.0"

  /// Exit codes, as documented in the README.
  public enum ExitCode: Int32 {
    case success = 0
    case someInputsFailed = 1
    case usage = 2
    /// Ctrl-C or SIGTERM: every input already answered was written.
    case interrupted = 130
    /// Standard output was closed by its reader (128 + SIGPIPE).
    case outputClosed = 141
  }

  /// The platforms built into the command.
  public static var builtInPlatforms: [Platform] {
    [Xiaohongshu.platform, Douyin.platform, Kuaishou.platform, Bilibili.platform]
  }

  /// Runs the command with `arguments` (without the program name); returns the exit code.
  public static func main(_ arguments: [String], environment: [String: String] = currentEnvironment()) async -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    let out = DescriptorWriter(fd: 1)
    let err = DescriptorWriter(fd: 2)
    func usage(_ message: String) -> Int32 {
      err.write("normalize: \(message)\nusage: normalize [options] [INPUT...]  (normalize --help for more)\n")
      return ExitCode.usage.rawValue
    }
    let options: Options
    do {
      options = try OptionParser.parse(arguments)
    } catch {
      return usage(error.message)
    }
    if options.help {
      out.write(helpText)
      return ExitCode.success.rawValue
    }
    if options.version {
      out.write("normalize \(version)\n")
      return ExitCode.success.rawValue
    }

    // Everything that can fail on configuration fails here, before any input is read.
    var packs: [Platform] = []
    for file in options.rulePacks {
      do {
        packs += try RulePack.load(contentsOf: file)
      } catch {
        return usage("bad rule pack: \(error.description)")
      }
    }
    let warnings = WarningWriter(err: err)
    let remote: RemoteSetup
    do {
      remote = try RemoteSetup.make(options: options, environment: environment, warn: { warnings.write($0) })
    } catch {
      return usage(error.message)
    }

    var registry = NormalizerRegistry()
    for platform in builtInPlatforms { registry.install(platform, resolvers: remote.resolvers, cache: remote.cache) }
    for pack in packs {
      registry.install(pack, resolvers: remote.resolvers, cache: remote.cache, parserPriority: Priority.rulePack)
    }
    let chain = FallbackChain(registry: registry, offline: options.offline)
    let formatter = RecordFormatter(format: options.format, explain: options.explain)
    var configuration = BatchRunner.Configuration(chain: chain, formatter: formatter, which: options.which)
    configuration.concurrency = options.concurrency
    configuration.progress = ProgressLine.allowed(options: options, environment: environment)
    if !options.readsStandardInput { configuration.knownTotal = options.inputs.count }
    let runner = BatchRunner(configuration: configuration, out: out, err: err)
    let started = MonotonicTime.now()
    await runner.run(segments(for: options.inputs))
    let summary = runner.summary
    if summary.outputClosed {
      // The reader of our output went away (`normalize … | head`): stop quietly, as a process
      // ended by SIGPIPE would.
      return ExitCode.outputClosed.rawValue
    }

    let report = RunReport(
      tally: summary.tally, remoteCalls: remote.requestCounters.map { ($0.name, $0.transport.requests) },
      cache: remote.cache?.statistics, deduplicated: summary.deduplicated,
      seconds: MonotonicTime.since(started).seconds, interrupted: summary.interrupted)
    if !options.quiet && !options.which && report.isWorthPrinting { err.write(report.summaryText()) }
    if let path = options.statsJSON, !writeFile(path, report.json()) {
      err.write("normalize: cannot write the stats file \(path)\n")
    }
    if summary.interrupted { return ExitCode.interrupted.rawValue }
    if let message = summary.inputError {
      err.write("normalize: \(message)\n")
      return ExitCode.someInputsFailed.rawValue
    }
    return summary.tally.failed == 0 ? ExitCode.success.rawValue : ExitCode.someInputsFailed.rawValue
  }

  /// The process environment.
  public static func currentEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
      let text = String(cString: entry)
      if let eq = text.firstIndex(of: "=") {
        result[String(text[..<eq])] = String(text[text.index(after: eq)...])
      }
      pointer += 1
    }
    return result
  }

  static func writeFile(_ path: String, _ text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let writer = DescriptorWriter(fd: fd)
    writer.write(text)
    return !writer.isClosed
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

    Resolution of short links:
          --offline         never make remote calls (short links fail with needs_network,
                            unless the cache knows them)
          --resolvers LIST  which resolvers, in order: api, redirect (default: api,redirect
                            when a token is configured, else redirect)
          --token-file PATH the Just One API token, read from a file
          --token TOKEN     the token itself (visible in the process list; prefer
                            JUSTONEAPI_TOKEN or --token-file)
          --region global|cn              Just One API region (default global)
          --api-base-url URL              overrides the region (also JUSTONEAPI_BASE_URL)
          --timeout SECONDS total deadline per request (default 60)
          --retries N       retries of retryable failures (default 2)
          --concurrency N   short links resolved at once (default 16)

    Cache and reporting:
          --cache PATH      resolution cache (default $XDG_CACHE_HOME/linknormalizer/cache.sqlite)
          --no-cache        no cache
          --cache-ttl DURATION  how long a resolution is reused, e.g. 30d (default), 12h
      -q, --quiet           no summary, no progress line
          --stats-json PATH write the run's figures as JSON
          --progress, --no-progress  force the progress line on a terminal, or never show it

    Platforms:
          --rules FILE      load a JSON rule pack (repeatable; see README); its forms take
                            precedence over the built-in ones

    Other:
      -h, --help            this text
      -V, --version         the version

    Environment: JUSTONEAPI_TOKEN, JUSTONEAPI_BASE_URL, XDG_CACHE_HOME, NO_COLOR.
    Exit codes: 0 all inputs normalized, 1 some input failed, 2 usage or configuration
    error, 130 interrupted, 141 output closed by its reader.
    Error codes: see the README (no_link, unsupported, needs_network, invalid_input, auth,
    balance, quota, permission, rate_limited, upstream, timeout, network, not_found, ...).

    """
}

/// Warnings to stderr, each distinct message at most once per run. Thread-safe.
final class WarningWriter: Sendable {
  private let err: DescriptorWriter.Shared
  private let seen = Mutex<Set<String>>([])
  init(err: DescriptorWriter) { self.err = DescriptorWriter.Shared(fd: err.fd) }
  func write(_ message: String) {
    guard seen.withLock({ $0.insert(message).inserted }) else { return }
    err.write("normalize: \(message)\n")
  }
}
