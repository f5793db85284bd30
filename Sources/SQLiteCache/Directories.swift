import LinkNormalizerCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `mkdir -p` for the directory that will hold the cache file.
enum Directories {
  /// Creates every missing directory on the way to the parent of `filePath`, each with mode 0700
  /// (before umask). Existing directories are left as they are (their mode is not changed).
  static func createParents(of filePath: String) throws(CacheError) {
    guard let slash = filePath.lastIndex(of: "/") else { return }  // relative name: "." exists
    let parent = String(filePath[..<slash])
    if parent.isEmpty || isDirectory(parent) { return }

    var prefix = filePath.hasPrefix("/") ? "/" : ""
    for component in parent.split(separator: "/", omittingEmptySubsequences: true) {
      prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
      if mkdir(prefix, 0o700) == 0 { continue }
      let code = errno
      // EEXIST, or EACCES/EROFS on a directory that already exists: fine when it is a directory.
      if isDirectory(prefix) { continue }
      throw CacheError(
        "cache \(filePath): cannot create directory \(prefix): \(String(cString: strerror(code)))")
    }
  }

  private static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0 else { return false }
    return (info.st_mode & S_IFMT) == S_IFDIR
  }
}
