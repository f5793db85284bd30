/// The set of handlers a run may use, and the order they are tried in.
///
/// A value: build one, register handlers, hand it to a ``FallbackChain``. Copies are independent
/// (copy-on-write), so a registry can be extended per run without touching a shared one. Reading
/// it from many tasks at once is safe; mutate it before sharing it.
///
/// **Precedence.** Candidates are tried by descending priority; handlers with equal priority are
/// tried in registration order. Registering a handler under a name that is already registered
/// replaces the earlier handler; the new one takes the new priority and the latest place in
/// registration order.
///
/// **Routing cost.** Handlers are indexed by their ``LinkNormalizer/hosts``; finding the
/// candidates for a link is one hash lookup on its host plus one ``LinkNormalizer/accepts(_:)``
/// call per handler registered for that host (or for every host), independent of how many
/// platforms are registered.
public struct NormalizerRegistry: Sendable {
  /// A handler with its place in the order.
  public struct Entry: Sendable {
    public var normalizer: any LinkNormalizer { handler.normalizer }
    /// Higher runs first.
    public let priority: Int
    /// Position in registration order; breaks ties between equal priorities.
    public let sequence: Int
    public var name: String { handler.name }
    /// The handler in a shared, immutable box: hot paths borrow it (through `unmanagedHandler`)
    /// and call through its `let` without copying the existential or touching reference counts.
    let handler: Handler
    /// `handler` without reference counting, for hot paths (`_withUnsafeGuaranteedRef`); valid as
    /// long as this entry (which holds `handler` strongly) is alive.
    let unmanagedHandler: Unmanaged<Handler>

    init(normalizer: any LinkNormalizer, priority: Int, sequence: Int) {
      self.handler = Handler(normalizer)
      self.unmanagedHandler = Unmanaged.passUnretained(handler)
      self.priority = priority
      self.sequence = sequence
    }

    final class Handler: Sendable {
      let normalizer: any LinkNormalizer
      /// Read once at registration (both are constant for a handler).
      let name: String
      let requiresNetwork: Bool
      init(_ normalizer: any LinkNormalizer) {
        self.normalizer = normalizer
        self.name = normalizer.name
        self.requiresNetwork = normalizer.requiresNetwork
      }
    }
  }

  private var entries: [Entry] = []
  private var nextSequence = 0
  /// host → index into `routeRanges`.
  private var routes = HostTable<Int>([])
  /// Every routed host's candidates (host-specific and any-host handlers merged, in precedence
  /// order), back to back in one array; host `i`'s are `routeEntries[routeRanges[i]]`. One flat
  /// array, so that borrowing a route never copies (and reference-counts) a shared inner array.
  private var routeEntries: [Entry] = []
  private var routeRanges: [Range<Int>] = []
  /// Handlers with no hosts, in precedence order: the route for hosts with no specific handler.
  private var anyHostRoute: [Entry] = []

  /// An empty registry.
  public init() {}

  /// Adds `normalizer` at `priority` (higher runs first; see the type's precedence rule).
  public mutating func register(_ normalizer: any LinkNormalizer, priority: Int = 0) {
    entries.removeAll { $0.normalizer.name == normalizer.name }
    entries.append(Entry(normalizer: normalizer, priority: priority, sequence: nextSequence))
    nextSequence += 1
    rebuildRoutes()
  }

  /// Removes every handler whose name satisfies `predicate`; returns how many were removed.
  @discardableResult
  public mutating func unregister(where predicate: (any LinkNormalizer) -> Bool) -> Int {
    let before = entries.count
    entries.removeAll { predicate($0.normalizer) }
    rebuildRoutes()
    return before - entries.count
  }

  /// Every registered handler in precedence order.
  public var allEntries: [Entry] { entries.sorted(by: NormalizerRegistry.precedes) }

  /// Whether some handler serves `host` specifically (not just through an any-host handler).
  public func routes(host: String) -> Bool { routes.value(forHost: host) != nil }

  /// Whether some handler serves the link's host specifically.
  public func routesHost(of link: ParsedLink) -> Bool { link.hostIsIn(routes) }

  /// Every handler registered for the link's host (or for any host), in precedence order, before
  /// asking any of them whether it accepts the link. (Allocates the returned array; hot paths use
  /// ``withRoute(for:_:)``.)
  public func route(for link: ParsedLink) -> [Entry] {
    withRoute(for: link) { Array($0) }
  }

  /// Calls `body` with the link's route (see ``route(for:)``) borrowed in place: no reference
  /// count changes on the shared route or its handlers, which matters when many threads route at
  /// once. The buffer is valid only inside `body`.
  @inline(__always)
  public func withRoute<R>(for link: ParsedLink, _ body: (UnsafeBufferPointer<Entry>) -> R) -> R {
    guard let index = link.host(in: routes) else { return anyHostRoute.withUnsafeBufferPointer(body) }
    let range = routeRanges[index]
    return routeEntries.withUnsafeBufferPointer { all in body(UnsafeBufferPointer(rebasing: all[range])) }
  }

  /// The handlers that would be tried for `link`, in order: the dry-run answer. Pure; calls only
  /// ``LinkNormalizer/accepts(_:)``.
  public func candidates(for link: ParsedLink) -> [Entry] {
    withRoute(for: link) { $0.filter { $0.normalizer.accepts(link) } }
  }

  /// Whether any handler accepts `link`.
  public func recognizes(_ link: ParsedLink) -> Bool {
    withRoute(for: link) { $0.contains { $0.normalizer.accepts(link) } }
  }

  static func precedes(_ a: Entry, _ b: Entry) -> Bool {
    a.priority != b.priority ? a.priority > b.priority : a.sequence < b.sequence
  }

  private mutating func rebuildRoutes() {
    let ordered = entries.sorted(by: NormalizerRegistry.precedes)
    anyHostRoute = ordered.filter { $0.normalizer.hosts.isEmpty }
    var byHost: [String: [Entry]] = [:]
    for entry in ordered {
      for host in entry.normalizer.hosts { byHost[host.lowercased(), default: []].append(entry) }
    }
    if !anyHostRoute.isEmpty {
      for (host, list) in byHost {
        byHost[host] = (list + anyHostRoute).sorted(by: NormalizerRegistry.precedes)
      }
    }
    let sorted = byHost.sorted { $0.key < $1.key }
    routeEntries = sorted.flatMap(\.value)
    var start = 0
    routeRanges = sorted.map { host in
      defer { start += host.value.count }
      return start..<(start + host.value.count)
    }
    routes = HostTable(sorted.enumerated().map { ($0.element.key, $0.offset) })
  }
}
