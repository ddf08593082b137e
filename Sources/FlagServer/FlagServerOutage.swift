/// A span of time in which every request (optionally: for some hosts) gets one status.
///
/// Why separate from faults: an outage is certain, not probable, and the
/// interesting client behaviour (backoff, serving stale values, the recovery
/// stampede) needs every request inside the window to fail.
public struct FlagServerOutage: Sendable, Hashable {
    /// When the outage lasts.
    public var window: FlagServerTimeWindow
    /// The status every request gets (503 by default).
    public var status: Int
    /// `Retry-After` sent with the status, if any.
    public var retryAfterSeconds: Int?
    /// The (normalised) host names affected, or `nil` for every host.
    public var hosts: Set<String>?

    /// Creates an outage.
    public init(window: FlagServerTimeWindow, status: Int = 503,
                retryAfterSeconds: Int? = nil, hosts: Set<String>? = nil) {
        self.window = window
        self.status = status
        self.retryAfterSeconds = retryAfterSeconds
        self.hosts = hosts
    }
}
