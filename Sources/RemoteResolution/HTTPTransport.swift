public import LinkNormalizerCore

/// One HTTP GET, as a resolver needs it: no redirects followed, a hard total deadline and a cap on
/// the body bytes read.
///
/// Implementations must be `Sendable` and safe to call from many tasks at once. They throw
/// ``NormalizationError`` with code ``ErrorCode/timeout`` when the deadline passes,
/// ``ErrorCode/network`` when the connection cannot be made or breaks before the response head
/// arrives, ``ErrorCode/cancelled`` when the calling task is cancelled, and
/// ``ErrorCode/invalidInput`` for a URL they cannot request. Error messages name the host only,
/// never the full URL (it may carry credentials). Any HTTP status, including 3xx, 4xx and 5xx, is
/// a response, not an error.
public protocol HTTPTransport: Sendable {
  /// Performs `request` and returns the response; see the protocol for failure modes.
  func get(_ request: HTTPRequest) async throws(NormalizationError) -> HTTPResponse
}

/// A GET request for an ``HTTPTransport``.
public struct HTTPRequest: Sendable {
  /// The absolute `http` or `https` URL to fetch, already percent-encoded.
  public var url: String
  /// Header fields to send, in order (e.g. `User-Agent`).
  public var headers: [(name: String, value: String)]
  /// The total time allowed for the request, from the call until the body is read (not an idle
  /// timeout). Exceeding it throws ``ErrorCode/timeout``.
  public var deadline: Duration
  /// The most body bytes read; the transport stops reading there and reports
  /// ``HTTPResponse/BodyEnd/exceededLimit``. Never more than this is kept in memory.
  public var maxBodyBytes: Int

  /// A request; see the properties for units and meaning.
  public init(url: String, headers: [(name: String, value: String)] = [], deadline: Duration, maxBodyBytes: Int) {
    self.url = url
    self.headers = headers
    self.deadline = deadline
    self.maxBodyBytes = maxBodyBytes
  }
}

/// What an ``HTTPTransport`` received: the status, the headers and at most the request's
/// ``HTTPRequest/maxBodyBytes`` of body.
public struct HTTPResponse: Sendable {
  /// How reading the body ended.
  public enum BodyEnd: Sendable, Hashable {
    /// The whole body was read.
    case complete
    /// The body was longer than ``HTTPRequest/maxBodyBytes``; ``HTTPResponse/body`` holds the
    /// first bytes only and the rest was not read.
    case exceededLimit
    /// The connection broke after the response head: the body is what arrived before (e.g. fewer
    /// bytes than `Content-Length` announced).
    case connectionClosed
  }

  /// The HTTP status code.
  public var status: Int
  /// The response header fields.
  public var headers: HTTPHeaders
  /// The body bytes read (at most the request's cap).
  public var body: [UInt8]
  /// Whether ``body`` is the whole body.
  public var bodyEnd: BodyEnd

  /// A response (transports build these; tests may build them for fake transports).
  public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], bodyEnd: BodyEnd = .complete) {
    self.status = status
    self.headers = headers
    self.body = body
    self.bodyEnd = bodyEnd
  }

  /// Whether the status is one of the redirects a resolver follows: 301, 302, 303, 307, 308.
  public var isRedirect: Bool { [301, 302, 303, 307, 308].contains(status) }
}

/// Response header fields with case-insensitive lookup. Keeps the order fields were given in;
/// when a name occurs more than once, ``subscript(_:)`` returns the first. (``CurlTransport``
/// reports every field line; `URLSession` reports a repeated field once, its values joined with
/// `", "`.)
public struct HTTPHeaders: Sendable, Sequence {
  private var fields: [(name: String, value: String)]

  /// Headers from `(name, value)` pairs, kept in order.
  public init(_ fields: [(name: String, value: String)] = []) {
    self.fields = fields
  }

  /// The first value of the field `name` (compared case-insensitively), or nil.
  public subscript(_ name: String) -> String? {
    let lowered = name.lowercased()
    return fields.first { $0.name.lowercased() == lowered }?.value
  }

  /// Appends a field.
  public mutating func add(_ name: String, _ value: String) {
    fields.append((name, value))
  }

  /// Iterates the fields in order, with their names as given.
  public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
    fields.makeIterator()
  }
}

extension HTTPResponse {
  /// Appends `data` to `body`, up to `cap` bytes in all; false when `data` did not fit (the body
  /// then holds its first `cap` bytes, and the transport stops reading: ``BodyEnd/exceededLimit``).
  /// Both transports cap bodies with this.
  package static func append(_ data: some Collection<UInt8>, to body: inout [UInt8], cap: Int) -> Bool {
    let room = cap - body.count
    guard data.count <= room else {
      body.append(contentsOf: data.prefix(max(0, room)))
      return false
    }
    body.append(contentsOf: data)
    return true
  }
}
