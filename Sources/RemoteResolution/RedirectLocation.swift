import Foundation

/// A redirect's `Location` resolved against the URL that was requested, split into the parts the
/// redirect resolver checks before it may contact anything.
struct RedirectLocation {
  /// The absolute URL, as Foundation spells it after resolution.
  var absolute: String
  /// Lower-cased scheme.
  var scheme: String
  /// Lower-cased host with one trailing dot removed; empty when there is none.
  var host: String
  /// The explicit port, if any.
  var port: Int?
  /// The percent-encoded path (`/` when empty) followed by `?` and the query when present.
  var target: String

  /// The first `Location` value of a header as `URLSession` reports it: repeated fields arrive
  /// joined with `", "`, and a URL never contains an unencoded space, so the first one ends there.
  static func firstValue(_ header: String) -> String {
    let value = header.range(of: ", ").map { String(header[..<$0.lowerBound]) } ?? header
    return String(value.trimmingSpaces)
  }

  /// Resolves `location` (absolute, scheme-relative, or relative) against `base`; nil when it is
  /// not a URL.
  init?(_ location: String, relativeTo base: String) {
    guard !location.isEmpty, let baseURL = URL(string: base),
      let url = URL(string: location, relativeTo: baseURL)?.absoluteURL, let scheme = url.scheme
    else { return nil }
    self.absolute = url.absoluteString
    self.scheme = scheme.lowercased()
    var host = (url.host(percentEncoded: false) ?? "").lowercased()
    if host.hasSuffix(".") { host.removeLast() }
    self.host = host
    self.port = url.port
    let path = url.path(percentEncoded: true)
    let query = url.query(percentEncoded: true)
    self.target = (path.isEmpty ? "/" : path) + (query.map { "?" + $0 } ?? "")
  }

  /// Whether this is an http(s) URL on one of `hosts` at the default port: one the resolver may
  /// contact (over https).
  func isContactable(within hosts: Set<String>) -> Bool {
    (scheme == "http" || scheme == "https") && hosts.contains(host) && (port == nil || port == 443 || port == 80)
  }
}
