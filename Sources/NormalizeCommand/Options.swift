/// Everything the command line can say. Parsed by ``OptionParser``; defaults are the documented ones.
public struct Options: Sendable, Equatable {
  public var format: OutputFormat = .text
  public var offline = false
  public var explain = false
  public var which = false
  public var help = false
  public var version = false
  /// Rule pack files, in command-line order.
  public var rulePacks: [String] = []

  // Remote resolution.
  /// The API token given with `--token` (shows in the process list; prefer the environment or a file).
  public var token: String? = nil
  public var tokenFile: String? = nil
  /// `global` or `cn`.
  public var region: String? = nil
  public var apiBaseURL: String? = nil
  /// Total deadline per request, in seconds.
  public var timeout: Double = 60
  public var retries = 2
  /// Resolver order from `--resolvers` (nil: the default order).
  public var resolvers: [String]? = nil
  public var concurrency = 16

  // Cache and reporting.
  public var cachePath: String? = nil
  public var noCache = false
  /// Lifetime of cached resolutions, in seconds (default 30 days).
  public var cacheTTL: Int64 = 30 * 86_400
  public var quiet = false
  public var statsJSON: String? = nil
  /// `--progress` / `--no-progress`; nil means "when stderr is a terminal".
  public var progress: Bool? = nil
  /// Inputs given as arguments; `-` stands for "every line of stdin, here". Empty means stdin.
  public var inputs: [String] = []

  public init() {}

  /// Whether stdin is read (no inputs, or a `-` among them).
  public var readsStandardInput: Bool { inputs.isEmpty || inputs.contains("-") }
}

/// A command-line mistake: exit code 2, a one-line message and a hint.
public struct UsageError: Error, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Parses `normalize`'s arguments. Options may come before, between or after inputs; `--` ends
/// option parsing (everything after it is an input, even if it starts with `-`). Both
/// `--name value` and `--name=value` are accepted.
public enum OptionParser {
  public static func parse(_ arguments: [String]) throws(UsageError) -> Options {
    var options = Options()
    var i = 0
    var onlyInputs = false
    func value(for name: String, inline: String?) throws(UsageError) -> String {
      if let inline { return inline }
      i += 1
      guard i < arguments.count else { throw UsageError("option \(name) needs a value") }
      return arguments[i]
    }
    while i < arguments.count {
      let argument = arguments[i]
      if onlyInputs || argument == "-" || !argument.hasPrefix("-") {
        options.inputs.append(argument)
        i += 1
        continue
      }
      if argument == "--" {
        onlyInputs = true
        i += 1
        continue
      }
      var name = argument
      var inline: String? = nil
      if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
        name = String(argument[..<eq])
        inline = String(argument[argument.index(after: eq)...])
      }
      func flag() throws(UsageError) {
        if inline != nil { throw UsageError("option \(name) takes no value") }
      }
      func wholeNumber(in range: ClosedRange<Int>) throws(UsageError) -> Int {
        let text = try value(for: name, inline: inline)
        guard let number = Int(text), range.contains(number) else {
          throw UsageError(
            "\(name) needs a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
      }
      switch name {
      case "--format", "-f":
        let text = try value(for: name, inline: inline)
        guard let format = OutputFormat(rawValue: text) else {
          throw UsageError("unknown format '\(text)' (use text, jsonl or tsv)")
        }
        options.format = format
      case "--jsonl":
        try flag()
        options.format = .jsonl
      case "--tsv":
        try flag()
        options.format = .tsv
      case "--offline":
        try flag()
        options.offline = true
      case "--explain":
        try flag()
        options.explain = true
      case "--which":
        try flag()
        options.which = true
      case "--rules":
        options.rulePacks.append(try value(for: name, inline: inline))
      case "--token":
        options.token = try value(for: name, inline: inline)
      case "--token-file":
        options.tokenFile = try value(for: name, inline: inline)
      case "--region":
        let region = try value(for: name, inline: inline)
        guard region == "global" || region == "cn" else {
          throw UsageError("unknown region '\(region)' (use global or cn)")
        }
        options.region = region
      case "--api-base-url":
        let url = try value(for: name, inline: inline)
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
          throw UsageError("--api-base-url needs an http:// or https:// URL")
        }
        options.apiBaseURL = url
      case "--timeout":
        let text = try value(for: name, inline: inline)
        guard let seconds = Double(text), seconds > 0, seconds <= 3_600 else {
          throw UsageError("--timeout needs a number of seconds between 0 and 3600, not '\(text)'")
        }
        options.timeout = seconds
      case "--retries":
        options.retries = try wholeNumber(in: 0...10)
      case "--resolvers":
        let text = try value(for: name, inline: inline)
        let list = text.split(separator: ",", omittingEmptySubsequences: false).map {
          String($0).trimmingCharacters(in: " ")
        }
        guard !list.isEmpty, list.allSatisfy({ $0 == "api" || $0 == "redirect" }), Set(list).count == list.count else {
          throw UsageError("--resolvers takes api, redirect or both in order (e.g. api,redirect), not '\(text)'")
        }
        options.resolvers = list
      case "--concurrency":
        options.concurrency = try wholeNumber(in: 1...1_024)
      case "--cache":
        options.cachePath = try value(for: name, inline: inline)
      case "--no-cache":
        try flag()
        options.noCache = true
      case "--cache-ttl":
        let text = try value(for: name, inline: inline)
        guard let seconds = parseDuration(text) else {
          throw UsageError("--cache-ttl needs a duration like 30d, 12h, 45m, 90s or a number of seconds, not '\(text)'")
        }
        options.cacheTTL = seconds
      case "--quiet", "-q":
        try flag()
        options.quiet = true
      case "--stats-json":
        options.statsJSON = try value(for: name, inline: inline)
      case "--progress":
        try flag()
        options.progress = true
      case "--no-progress":
        try flag()
        options.progress = false
      case "--help", "-h":
        try flag()
        options.help = true
      case "--version", "-V":
        try flag()
        options.version = true
      default:
        throw UsageError("unknown option '\(name)'")
      }
      i += 1
    }
    return options
  }
}

/// `30d`, `12h`, `45m`, `90s` or plain seconds; nil when malformed.
func parseDuration(_ text: String) -> Int64? {
  guard let last = text.last else { return nil }
  let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
  let (digits, unit) = units[last].map { (String(text.dropLast()), $0) } ?? (text, 1)
  guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int64(digits), value >= 0, value < Int64.max / unit
  else { return nil }
  return value * unit
}
