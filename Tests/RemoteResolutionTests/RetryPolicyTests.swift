import LinkNormalizerCore
import RemoteResolution
import Testing

@Suite struct RetryPolicyTests {
  @Test func backoffGrowsWithJitterAndIsCapped() {
    let policy = RetryPolicy(retries: 5, backoffBase: .milliseconds(100), maximumBackoff: .milliseconds(300))
    for _ in 0..<50 {
      let first = policy.delay(beforeRetry: 0)
      #expect(first >= .milliseconds(50) && first <= .milliseconds(100))
      let second = policy.delay(beforeRetry: 1)
      #expect(second >= .milliseconds(100) && second <= .milliseconds(200))
      let late = policy.delay(beforeRetry: 20)
      #expect(late >= .milliseconds(150) && late <= .milliseconds(300))
    }
  }

  @Test func retryAfterWinsAndIsCapped() {
    let policy = RetryPolicy(retryAfterCap: .seconds(30))
    #expect(policy.delay(beforeRetry: 3, retryAfter: .seconds(2)) == .seconds(2))
    #expect(policy.delay(beforeRetry: 0, retryAfter: .seconds(3600)) == .seconds(30))
    #expect(policy.delay(beforeRetry: 0, retryAfter: .zero) == .zero)
  }

  @Test func parsesRetryAfterSecondsOnly() {
    #expect(RetryPolicy.retryAfter("0") == .zero)
    #expect(RetryPolicy.retryAfter(" 3 ") == .seconds(3))
    #expect(RetryPolicy.retryAfter("-1") == nil)
    #expect(RetryPolicy.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
    #expect(RetryPolicy.retryAfter(nil) == nil)
  }

  @Test func retryableCodes() {
    #expect([ErrorCode.timeout, .network, .upstream, .rateLimited].allSatisfy(RetryPolicy.isRetryable))
    #expect(![ErrorCode.cancelled, .notFound, .badResponse, .invalidInput].contains(where: RetryPolicy.isRetryable))
  }
}
