import LinkNormalizerCore

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a program with stdin from a file and stdout/stderr to /dev/null; returns wall seconds and
/// peak resident memory of the child in KiB (from wait4's rusage).
func spawn(_ path: String, _ arguments: [String], stdinPath: String? = nil, environment: [String: String] = [:])
  -> (seconds: Double, maxRSSKiB: Int, status: Int32)
{
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 0, stdinPath ?? "/dev/null", O_RDONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
  let argv = ([path] + arguments).map { strdup($0) } + [nil]
  defer { for p in argv { free(p) } }
  var envp: [UnsafeMutablePointer<CChar>?] = []
  var pointer = environ
  while let entry = pointer.pointee {
    let text = String(cString: entry)
    let name = String(text.prefix(while: { $0 != "=" }))
    if environment[name] == nil { envp.append(strdup(entry)) }
    pointer += 1
  }
  for (name, value) in environment { envp.append(strdup("\(name)=\(value)")) }
  envp.append(nil)
  defer { for p in envp { free(p) } }
  var pid: pid_t = 0
  let start = MonotonicTime.seconds()
  guard posix_spawn(&pid, path, &actions, nil, argv, envp) == 0 else {
    fatalError("cannot run \(path)")
  }
  var status: Int32 = 0
  var usage = rusage()
  wait4(pid, &status, 0, &usage)
  let seconds = MonotonicTime.seconds() - start
  return (seconds, usage.ru_maxrss, (status >> 8) & 0xFF)
}

/// Writes `count` corpus lines to a file, streaming (the benchmark's own memory stays small, which
/// matters: a spawned child's peak RSS starts from its parent's at exec).
func writeCorpus(_ count: Int, to path: String) {
  var corpus = Corpus()
  writeLines(count: count, to: path) { corpus.line() }
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  return sorted[sorted.count / 2]
}

/// Writes `lines` to a file.
func writeLines(_ lines: [String], to path: String) {
  var index = 0
  writeLines(count: lines.count, to: path) {
    defer { index += 1 }
    return lines[index]
  }
}

/// Writes `count` lines, each from `next`, to a file.
func writeLines(count: Int, to path: String, next: () -> String) {
  guard let file = fopen(path, "w") else { fatalError("cannot write \(path)") }
  for _ in 0..<count {
    fputs(next(), file)
    fputc(0x0A, file)
  }
  fclose(file)
}
