import LinkNormalizerCore
import PCRE2
import Testing

/// A pattern handler's result keeps its id, canonical URL and parameters packed in one
/// allocation; as a value it must behave exactly like one built field by field.
@Suite struct PackedResultTests {
  func packedResult() throws -> NormalizedLink {
    let handler = try PatternNormalizer(
      name: "t.url", platform: "t", hosts: ["t.test"],
      forms: [URLPattern(kind: "item", "^/i/(?<id>[0-9]+)", canonical: "https://t.test/i/{id}")],
      keep: [KeptParameter("k", field: "key"), KeptParameter("s")])
    let link = try #require(ParsedLink("https://t.test/i/42?s=a%20b&k=%E4%BD%A0&z=1"))
    guard case .answered(.success(.normalized(let result))) = handler.attemptSynchronously(link) else {
      Issue.record("not normalized")
      throw CancellationError()
    }
    return result
  }

  @Test func readsLikeAResultBuiltFieldByField() throws {
    let packed = try packedResult()
    let plain = NormalizedLink(
      platform: "t", kind: "item", id: "42", canonicalURL: "https://t.test/i/42?k=%E4%BD%A0&s=a%20b",
      parameters: [Field("key", "你"), Field("s", "a b")], handler: "t.url")
    #expect(packed.id == "42")
    #expect(packed.canonicalURL == "https://t.test/i/42?k=%E4%BD%A0&s=a%20b")
    #expect(packed.parameters == [Field("key", "你"), Field("s", "a b")])
    #expect(packed == plain)
    #expect(packed.hashValue == plain.hashValue)
    #expect(Set([packed, plain]).count == 1)
  }

  @Test func settersChangeOnlyTheirFieldAndOnlyTheCopy() throws {
    let original = try packedResult()
    var changed = original
    changed.id = "43"
    #expect(changed.id == "43")
    #expect(changed.canonicalURL == original.canonicalURL)
    #expect(changed.parameters == original.parameters)
    #expect(original.id == "42")
    changed.parameters.append(Field("extra", "1"))
    #expect(changed.parameters.map(\.name) == ["key", "s", "extra"])
    #expect(original.parameters.map(\.name) == ["key", "s"])
    changed.canonicalURL = "https://t.test/i/43"
    #expect(changed.canonicalURL == "https://t.test/i/43")
    #expect(!changed.canonicalIsPlain)
    #expect(original.canonicalIsPlain)
    #expect(changed != original)
  }
}
