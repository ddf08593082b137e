/// A server that alternates between up and down: `up` of normal service, then `down` of one status, repeating.
///
/// Why: a flapping endpoint is the worst case for backoff and for caches that
/// forget the last good value; it is also how a half-broken load balancer looks.
public struct FlagServerFlapping: Sendable, Hashable {
    /// How long each up period lasts.
    public var up: Duration
    /// How long each down period lasts.
    public var down: Duration
    /// The status every request gets while down (503 by default).
    public var status: Int
    /// When the flapping happens (the first period, up, starts at the window's start), or `nil` for always.
    public var window: FlagServerTimeWindow?
    /// The (normalised) host names affected, or `nil` for every host.
    public var hosts: Set<String>?

    /// Creates a flapping schedule.
    public init(up: Duration, down: Duration, status: Int = 503,
                window: FlagServerTimeWindow? = nil, hosts: Set<String>? = nil) {
        self.up = up
        self.down = down
        self.status = status
        self.window = window
        self.hosts = hosts
    }

    /// Whether the server is down `elapsed` after the model's start.
    public func isDown(after elapsed: Duration) -> Bool {
        let origin: Duration
        if let window {
            guard window.contains(elapsed) else { return false }
            origin = window.start
        } else {
            origin = .zero
        }
        let period = up.flagNanoseconds &+ down.flagNanoseconds
        guard period > 0, up >= .zero, down >= .zero else { return false }
        let phase = (elapsed - origin).flagNanoseconds % period
        return phase >= up.flagNanoseconds
    }
}
