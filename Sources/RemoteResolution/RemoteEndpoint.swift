/// Where to connect for a host: a scheme, an address and a port. Used by the redirect resolver's
/// test hook (``HTTPRedirectResolver/Configuration/endpointOverride``) to send requests meant for
/// a declared short-link host to a loopback test server.
public struct RemoteEndpoint: Sendable, Hashable {
  /// `http` or `https`.
  public var scheme: String
  /// The address to connect to (e.g. `127.0.0.1`).
  public var host: String
  /// The port to connect to.
  public var port: Int

  /// An endpoint; defaults to plain http on 127.0.0.1.
  public init(scheme: String = "http", host: String = "127.0.0.1", port: Int) {
    self.scheme = scheme
    self.host = host
    self.port = port
  }

  /// `<scheme>://<host>:<port>` followed by `target` (a path and query starting with `/`).
  func url(_ target: String) -> String {
    "\(scheme)://\(host):\(port)\(target)"
  }
}
