// cache-stress: a helper the SQLiteCache tests spawn as separate processes.
//
//   cache-stress write <db-path> <key-prefix> <count>
//       Opens the cache read-write, stores <count> entries with keys "<key-prefix>-<i>" (even i:
//       resolved with a URL, odd i: not_found without one), reading each back. Exit 0 on success,
//       1 on any CacheError or mismatch (message on stderr).
//   cache-stress open <db-path> [--as-nobody]
//       Only opens the cache read-write; with --as-nobody, first drops to uid/gid 65534 (for tests
//       running as root, where permission bits do not stop writes). Exit 0 when the open succeeds,
//       3 on CacheError (message on stderr), 4 when privileges cannot be dropped.
//
// Exit 64 on bad usage.
import LinkNormalizerCore
import LinkNormalizerTestSupport
import SQLiteCache

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

func fail(_ message: String, code: Int32) -> Never {
  var line = "cache-stress: \(message)\n"
  line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
  exit(code)
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { fail("usage: cache-stress write|open <db-path> ...", code: 64) }
let path = arguments[2]

switch arguments[1] {
case "write":
  guard arguments.count == 5, let count = Int(arguments[4]), count >= 0 else {
    fail("usage: cache-stress write <db-path> <key-prefix> <count>", code: 64)
  }
  let prefix = arguments[3]
  do throws(CacheError) {
    let cache = try SQLiteResolutionCache(path: path)
    for index in 0..<count {
      let key = "\(prefix)-\(index)"
      let expected = stressEntry(prefix: prefix, index: index)
      try cache.store(expected, for: key)
      guard try cache.lookup(key) == expected else { fail("read back a different entry for \(key)", code: 1) }
    }
  } catch {
    fail(error.message, code: 1)
  }

case "open":
  if arguments.count == 4 && arguments[3] == "--as-nobody" {
    guard setgroups(0, nil) == 0, setgid(65534) == 0, setuid(65534) == 0 else {
      fail("cannot drop privileges: \(String(cString: strerror(errno)))", code: 4)
    }
  } else if arguments.count != 3 {
    fail("usage: cache-stress open <db-path> [--as-nobody]", code: 64)
  }
  do throws(CacheError) {
    _ = try SQLiteResolutionCache(path: path)
  } catch {
    fail(error.message, code: 3)
  }

default:
  fail("unknown command \(arguments[1])", code: 64)
}
