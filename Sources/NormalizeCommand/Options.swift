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
