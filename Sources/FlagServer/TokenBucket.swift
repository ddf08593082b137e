import FeatureFlags

/// A token bucket's state, in exact integer arithmetic.
///
/// Why integers: "exactly N 429s for a burst of M" must hold on every run, so
/// the level is kept in units where one token is `window` nanoseconds' worth
/// and each nanosecond adds `requests` units; nothing rounds.
struct TokenBucket {
    private let unitsPerToken: Int128   // window in nanoseconds
    private let unitsPerNanosecond: Int128  // requests per window
    private let capacity: Int128
    private var level: Int128
    private var lastRefill: UInt64

    /// A full bucket for `limit`, as of `now`.
    init(limit: FlagServerRateLimit, now: FlagInstant) {
        unitsPerToken = Int128(max(limit.window.flagNanoseconds, 1))
        unitsPerNanosecond = Int128(max(limit.requests, 1))
        capacity = Int128(max(limit.burst, 1)) * unitsPerToken
        level = capacity
        lastRefill = now.nanoseconds
    }

    /// Adds the tokens earned since the last refill (time never moves the bucket backwards).
    mutating func refill(at now: FlagInstant) {
        guard now.nanoseconds > lastRefill else { return }
        let elapsed = Int128(now.nanoseconds - lastRefill)
        level = min(capacity, level + elapsed * unitsPerNanosecond)
        lastRefill = now.nanoseconds
    }

    /// Whether a token is available now (call ``refill(at:)`` first).
    var hasToken: Bool { level >= unitsPerToken }

    /// Takes one token; only after ``hasToken`` said yes.
    mutating func take() { level -= unitsPerToken }

    /// Whole seconds until a token is available, rounded up, at least 1.
    var retryAfterSeconds: Int {
        let deficit = max(unitsPerToken - level, 0)
        let nanoseconds = (deficit + unitsPerNanosecond - 1) / unitsPerNanosecond
        let seconds = (nanoseconds + 999_999_999) / 1_000_000_000
        return Int(clamping: max(seconds, 1))
    }
}
