#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The path of executable `name` built by the same `swift build` as the running program: the
/// value of the environment variable `override` when set, else the first `name` found next to the
/// running executable or in a directory above it (`swift build --build-tests` puts every product
/// of the package in the test bundle's directory); nil when there is none. Reads
/// `/proc/self/exe` (Linux).
public func builtExecutable(_ name: String, override: String) -> String? {
  if let value = getenv(override) { return String(cString: value) }
  var buffer = [CChar](repeating: 0, count: 4096)
  let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
  guard count > 0 else { return nil }
  var directory = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  while let slash = directory.lastIndex(of: "/"), slash != directory.startIndex {
    directory = String(directory[..<slash])
    let candidate = directory + "/" + name
    if access(candidate, X_OK) == 0 { return candidate }
  }
  return nil
}
