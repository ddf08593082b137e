/// Which JSON field names carry the TTL in the flag endpoint's answer.
///
/// Why configurable: the reference server sends `ttl_seconds`, some deployments
/// `ttlSeconds`; a client must read either, and a test must be able to serve
/// each (or neither, to check the client's fallback TTL).
public enum TTLSpelling: String, Sendable, Hashable, CaseIterable {
    /// `"ttl_seconds": N`.
    case snakeCase
    /// `"ttlSeconds": N`.
    case camelCase
    /// Both fields, snake case first.
    case both
    /// No TTL field at all.
    case none
}

/// What the fake server says for one host: the flag's truth over time, the TTL it advertises and, optionally, its own latency.
///
/// One profile applies to every host without its own (``FlagServerConfiguration/defaultHost``),
/// so a scenario over 100,000 hosts describes only the exceptions.
public struct FlagHostProfile: Sendable, Hashable {
    /// The flag's true value over time.
    public var truth: FlagTruth
    /// The TTL advertised in whole seconds (ignored when ``ttlSpelling`` is `.none`).
    public var ttlSeconds: Int
    /// Which field name(s) carry the TTL.
    public var ttlSpelling: TTLSpelling
    /// This host's latency, or `nil` for the server's ``FlagServerConfiguration/latency``.
    public var latency: LatencyDistribution?

    /// Creates a profile; the defaults are the reference server's (flag on, 900 s as `ttl_seconds`).
    public init(truth: FlagTruth = .constant(true), ttlSeconds: Int = 900,
                ttlSpelling: TTLSpelling = .snakeCase, latency: LatencyDistribution? = nil) {
        self.truth = truth
        self.ttlSeconds = ttlSeconds
        self.ttlSpelling = ttlSpelling
        self.latency = latency
    }
}
