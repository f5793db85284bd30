import LinkNormalizerCore
import RemoteResolution

/// What one HTTP answer of the service means: a converted URL, or a failure with its code,
/// details and any `Retry-After`. Pure; the single place where statuses and business codes are
/// mapped (see ``JustOneAPIClient`` for the table).
enum JustOneAPIAnswer {
  case converted(String)
  case failed(NormalizationError, retryAfter: Duration?)

  /// Interprets `response` to a request shown as `shownURL` (already redacted). Messages and
  /// details built here still pass through the client's redactor.
  init(_ response: HTTPResponse, shownURL: String) {
    let status = response.status
    let statusField = Field("http_status", String(status))
    let retryAfter = RetryPolicy.retryAfter(response.headers["Retry-After"])
    let envelope = response.bodyEnd == .complete ? JustOneAPIEnvelope(response.body) : nil

    if let envelope, let code = envelope.code {
      var details = [Field("api_code", String(code))]
      if let message = envelope.message { details.append(Field("api_message", String(message.prefix(300)))) }
      details.append(statusField)
      let said = envelope.message.map { ": \($0.prefix(300))" } ?? ""
      func fail(_ errorCode: ErrorCode, _ meaning: String) -> JustOneAPIAnswer {
        .failed(
          NormalizationError(
            errorCode, "Just One API code \(code) (\(meaning))\(said); HTTP \(status), GET \(shownURL)",
            details: details),
          retryAfter: retryAfter)
      }
      switch code {
      case 0:
        if let url = envelope.redirectURL {
          self = .converted(url)
          return
        }
        self = .failed(
          NormalizationError(
            .badResponse, "Just One API code 0 without a redirect_url; HTTP \(status), GET \(shownURL)",
            details: details),
          retryAfter: nil)
      case 100: self = fail(.auth, "invalid or inactive token")
      case 301: self = fail(.upstream, "collection failed")
      case 302: self = fail(.rateLimited, "rate limit exceeded")
      case 303: self = fail(.quota, "daily quota exceeded")
      case 400: self = fail(.invalidParams, "invalid parameters")
      case 500: self = fail(.upstream, "internal error")
      case 600: self = fail(.permission, "permission denied")
      case 601: self = fail(.balance, "insufficient balance")
      default: self = fail(.apiError, "unknown code")
      }
      return
    }

    // No business code: decide by the HTTP status, then by what the body is.
    if status == 429 {
      self = .failed(
        NormalizationError(
          .rateLimited, "Just One API HTTP 429 (too many requests); GET \(shownURL)", details: [statusField]),
        retryAfter: retryAfter)
      return
    }
    if (500...599).contains(status) {
      self = .failed(
        NormalizationError(.upstream, "Just One API HTTP \(status); GET \(shownURL)", details: [statusField]),
        retryAfter: retryAfter)
      return
    }
    let what: String
    switch response.bodyEnd {
    case .exceededLimit: what = "an answer larger than \(response.body.count) bytes"
    case .connectionClosed: what = "an answer cut short (\(response.body.count) bytes received)"
    case .complete:
      what =
        envelope == nil ? "an answer that is not JSON (\(Self.excerpt(response.body)))" : "JSON without a business code"
    }
    self = .failed(
      NormalizationError(
        .badResponse, "Just One API sent \(what); HTTP \(status), GET \(shownURL)", details: [statusField]),
      retryAfter: nil)
  }

  /// The body's first characters on one line, quoted, for error messages.
  static func excerpt(_ body: [UInt8]) -> String {
    if body.isEmpty { return "empty" }
    let text = String(decoding: body.prefix(80), as: UTF8.self)
    let flat = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    return "starts with \"\(flat)\(body.count > 80 ? "…" : "")\""
  }
}
