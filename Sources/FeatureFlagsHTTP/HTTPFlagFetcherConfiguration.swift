import FeatureFlags

/// Settings of an ``HTTPFlagFetcher``: which endpoint it asks, how it identifies
/// itself, how long it waits and how much it reads.
///
/// Defaults reproduce the reference design's request (`GET
/// https://{host}/api/2.0/connector-service/feature-flags/GOLANG/{version}`,
/// 10-second timeout). A value type so a scenario can describe its fetcher as data.
public struct HTTPFlagFetcherConfiguration: Sendable, Hashable {
    /// The flag the reference design asks for.
    public static let defaultFlagName =
        "databricks.partnerplatform.clientConfigsFeatureFlags.enableTelemetryForGoDriver"

    /// The largest body read by default (1 MiB).
    public static let defaultMaximumBodyBytes = 1 << 20

    /// The driver name in the request path (`GOLANG` in the reference design).
    public var driverName: String
    /// The driver version in the request path.
    public var driverVersion: String
    /// The `User-Agent` header sent with every request.
    public var userAgent: String
    /// How long one fetch may take, connection, response head and body included.
    ///
    /// The cache runs its own fetch timeout on top of this; this one exists so
    /// the fetcher is bounded when used alone and so a hung server maps to
    /// ``FlagFetchError/Kind/timeout`` rather than to a cancellation.
    public var timeout: Duration
    /// The scheme used when the ``HostKey`` carries none (``HostKey/scheme`` is `nil`).
    public var defaultScheme: String
    /// The name of the flag whose value is read; any other flag in the answer is ignored.
    public var flagName: String
    /// When set (for example `http://127.0.0.1:8080`), every request goes to this
    /// address and the `Host` header carries the real host name.
    ///
    /// Why: one fake server on loopback can then answer for thousands of host
    /// names without DNS. A path in the override is kept as a prefix. With the
    /// override, all hosts share one AsyncHTTPClient connection pool (one
    /// endpoint), so raise `connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit`
    /// when many hosts fetch at once.
    public var baseURLOverride: String?
    /// The most body bytes read from one answer; a larger body is an
    /// ``FlagFetchError/Kind/invalidResponse``. Bounds memory when a server misbehaves.
    public var maximumBodyBytes: Int

    /// Creates settings; every parameter defaults to the reference design's value.
    ///
    /// - Parameters:
    ///   - driverName: the driver name in the path (`"GOLANG"`).
    ///   - driverVersion: the driver version in the path (`"1.0.0"`).
    ///   - userAgent: the `User-Agent` header; `nil` means `"flagstorm/{driverVersion}"`.
    ///   - timeout: the per-request timeout (10 s).
    ///   - defaultScheme: the scheme for hosts given without one (`"https"`).
    ///   - flagName: the flag to read (``defaultFlagName``).
    ///   - baseURLOverride: the address every request goes to, if any (see ``baseURLOverride``).
    ///   - maximumBodyBytes: the body size limit (1 MiB).
    public init(
        driverName: String = "GOLANG",
        driverVersion: String = "1.0.0",
        userAgent: String? = nil,
        timeout: Duration = .seconds(10),
        defaultScheme: String = "https",
        flagName: String = HTTPFlagFetcherConfiguration.defaultFlagName,
        baseURLOverride: String? = nil,
        maximumBodyBytes: Int = HTTPFlagFetcherConfiguration.defaultMaximumBodyBytes
    ) {
        self.driverName = driverName
        self.driverVersion = driverVersion
        self.userAgent = userAgent ?? "flagstorm/\(driverVersion)"
        self.timeout = timeout
        self.defaultScheme = defaultScheme
        self.flagName = flagName
        self.baseURLOverride = baseURLOverride
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// The request path: `/api/2.0/connector-service/feature-flags/{driverName}/{driverVersion}`.
    ///
    /// Public so a fake server can route on exactly what the fetcher sends.
    public var path: String {
        "/api/2.0/connector-service/feature-flags/\(driverName)/\(driverVersion)"
    }

    /// The URL a fetch for `host` requests.
    ///
    /// With ``baseURLOverride`` it is the override plus ``path``; otherwise
    /// `{scheme}://{host}{path}` with the host's own scheme (or ``defaultScheme``)
    /// and its ``HostKey/normalized`` authority.
    public func url(for host: HostKey) -> String {
        if var base = baseURLOverride {
            while base.hasSuffix("/") { base.removeLast() }
            return base + path
        }
        let scheme = host.scheme ?? defaultScheme
        return "\(scheme)://\(host.normalized)\(path)"
    }

    /// The `Host` header a fetch for `host` sets explicitly: the normalised host
    /// with a ``baseURLOverride``, `nil` (AsyncHTTPClient derives it from the URL) without.
    public func hostHeader(for host: HostKey) -> String? {
        baseURLOverride == nil ? nil : host.normalized
    }
}
