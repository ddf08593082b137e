import FeatureFlags
import Testing

@Suite struct HostKeyTests {
    @Test(arguments: [
        ("example.com", "example.com", nil),
        ("EXAMPLE.com/", "example.com", nil),
        ("https://example.com", "example.com", "https"),
        ("HTTPS://Example.COM:443/", "example.com", "https"),
        ("http://example.com:80", "example.com", "http"),
        ("http://example.com:443", "example.com:443", "http"),
        ("example.com.", "example.com", nil),
        ("  example.com  ", "example.com", nil),
        ("example.com:8443", "example.com:8443", nil),
        ("https://user@example.com/sql/1.0?x=y#z", "example.com", "https"),
        ("[::1]:443", "[::1]", nil),
        ("http://[::1]:8080/", "[::1]:8080", "http"),
        ("127.0.0.1:443", "127.0.0.1", nil),
    ] as [(String, String, String?)])
    func normalisesCaseSchemeSlashDotAndDefaultPort(raw: String, normalized: String, scheme: String?) {
        let key = HostKey(raw)
        #expect(key.normalized == normalized)
        #expect(key.scheme == scheme)
        #expect(key.raw == raw)
    }

    @Test func spellingsOfOneHostAreEqualAndHashAlike() {
        let keys = ["example.com", "https://example.com", "EXAMPLE.com/", "example.com.:443"].map(HostKey.init)
        #expect(Set(keys).count == 1)
        #expect(HostKey("example.com") != HostKey("example.org"))
    }

    @Test(arguments: [
        ("EXAMPLE.com/", "example.com"),
        ("https://example.com", "example.com"),
        ("http://Example.com//", "example.com"),
        ("example.com.", "example.com."),
        ("example.com:443", "example.com:443"),
    ])
    func goNormalisationIsTheReferenceDesigns(raw: String, expected: String) {
        #expect(HostKey.goNormalized(raw) == expected)
    }
}
