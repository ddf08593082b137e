import FeatureFlags
import StormEngine
import Testing

@Suite struct ScenarioHostsTests {
    let hosts = ScenarioHosts(count: 1000, pattern: "host-{i}.example.com")

    @Test func hostNamesFollowThePattern() {
        #expect(hosts.name(at: 0) == "host-0.example.com")
        #expect(hosts.name(at: 999) == "host-999.example.com")
    }

    @Test func spellingsAreTheDocumentedOnes() {
        #expect(hosts.spelling(of: 1, choice: .plain) == "host-1.example.com")
        #expect(hosts.spelling(of: 1, choice: .upper) == "HOST-1.EXAMPLE.COM")
        #expect(hosts.spelling(of: 1, choice: .port) == "host-1.example.com:443")
        #expect(hosts.spelling(of: 1, choice: .url) == "https://host-1.example.com")
        #expect(hosts.spelling(of: 1, choice: .slash) == "host-1.example.com/")
        #expect(hosts.spelling(of: 1, choice: .trailingDot) == "host-1.example.com.")
    }

    @Test(arguments: HostSpelling.allCases)
    func everySpellingNormalisesToThePlainName(spelling: HostSpelling) {
        for index in [0, 7, 999] {
            let spelled = hosts.spelling(of: index, choice: spelling)
            #expect(HostKey(spelled).normalized == hosts.name(at: index), "\(spelled)")
            #expect(HostKey(spelled) == HostKey(hosts.name(at: index)))
        }
    }

    @Test func spellingsOtherThanPlainAreDistinctRawKeys() {
        // Distinct raw spellings are what fragments the seed policy's flag cache (W3).
        let raws = Set(HostSpelling.allCases.map { hosts.spelling(of: 3, choice: $0) })
        #expect(raws.count == HostSpelling.allCases.count)
    }

    @Test func indexOfHostInvertsTheNameForAnySpelling() {
        #expect(hosts.index(ofHost: "host-42.example.com") == 42)
        #expect(hosts.index(ofHost: "HTTPS://HOST-42.example.com/") == 42)
        #expect(hosts.index(ofHost: "host-1000.example.com") == nil)
        #expect(hosts.index(ofHost: "host-042.example.com") == nil)
        #expect(hosts.index(ofHost: "host-.example.com") == nil)
        #expect(hosts.index(ofHost: "other-1.example.com") == nil)
    }

    @Test func spellingDrawFollowsTheWeights() {
        let mixed = ScenarioHosts(count: 1, spellings: [.plain: 1, .url: 3])
        #expect(mixed.spelling(forUnitDraw: 0) == .plain)
        #expect(mixed.spelling(forUnitDraw: 0.24) == .plain)
        #expect(mixed.spelling(forUnitDraw: 0.26) == .url)
        #expect(mixed.spelling(forUnitDraw: 0.999) == .url)
    }
}
