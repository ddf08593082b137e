import FeatureFlags
import FeatureFlagsHTTP
import Testing

/// What `HTTPFlagFetcherConfiguration` derives: defaults, URL and `Host` header.
struct HTTPFlagFetcherConfigurationTests {
    @Test func urlUsesHostSchemeOrDefaultScheme() {
        let configuration = HTTPFlagFetcherConfiguration()
        let path = "/api/2.0/connector-service/feature-flags/GOLANG/1.0.0"
        #expect(configuration.url(for: HostKey("Example.com/")) == "https://example.com" + path)
        #expect(configuration.url(for: HostKey("http://example.com:8080")) == "http://example.com:8080" + path)
        #expect(configuration.hostHeader(for: HostKey("example.com")) == nil)

        var plain = configuration
        plain.defaultScheme = "http"
        #expect(plain.url(for: HostKey("example.com")) == "http://example.com" + path)

        var overridden = configuration
        overridden.baseURLOverride = "http://127.0.0.1:9/"
        #expect(overridden.url(for: HostKey("https://EXAMPLE.com")) == "http://127.0.0.1:9" + path)
        #expect(overridden.hostHeader(for: HostKey("https://EXAMPLE.com/")) == "example.com")
    }

    @Test func defaultsAreTheReferenceDesigns() {
        let configuration = HTTPFlagFetcherConfiguration()
        #expect(configuration.driverName == "GOLANG")
        #expect(configuration.timeout == .seconds(10))
        #expect(configuration.defaultScheme == "https")
        #expect(configuration.flagName.hasSuffix("enableTelemetryForGoDriver"))
        #expect(configuration.userAgent == "flagstorm/\(configuration.driverVersion)")
        #expect(configuration.maximumBodyBytes == 1 << 20)
        #expect(configuration.baseURLOverride == nil)
    }
}
