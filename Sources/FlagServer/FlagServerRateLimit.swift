/// A token bucket: `requests` per `window` sustained, up to `burst` at once.
///
/// Why a token bucket: it is what real API gateways use, so the harness can
/// reproduce the flag endpoint's published limit and see exactly how many 429s
/// a fleet would get (capacity planning), and when (`Retry-After`).
public struct FlagServerRateLimit: Sendable, Hashable {
    /// Tokens added per ``window``.
    public var requests: Int
    /// The refill period for ``requests`` tokens.
    public var window: Duration
    /// The bucket's capacity (and initial fill): the largest burst admitted at once.
    public var burst: Int

    /// Creates a limit of `requests` per `window`, bursting to `burst` (default: `requests`).
    public init(requests: Int, per window: Duration, burst: Int? = nil) {
        self.requests = requests
        self.window = window
        self.burst = burst ?? requests
    }
}

/// The server's rate limits: one bucket per host and one shared by all hosts, each optional.
public struct FlagServerRateLimits: Sendable, Hashable {
    /// Applied to each (normalised) host separately.
    public var perHost: FlagServerRateLimit?
    /// Applied to all requests together.
    public var global: FlagServerRateLimit?

    /// Creates the limits; `nil` means unlimited.
    public init(perHost: FlagServerRateLimit? = nil, global: FlagServerRateLimit? = nil) {
        self.perHost = perHost
        self.global = global
    }
}
