import FeatureFlags

/// The fake flag server's brain, without any I/O: given a host and an arrival
/// instant it decides the answer (latency, then a response, a hang, a reset or
/// a slow body) and records the request in its journal.
///
/// Why pure: the same model sits behind the SwiftNIO front end (realtime runs)
/// and the in-memory transport (simulated runs), and tests drive it directly.
/// It never reads a clock (time comes in as ``FeatureFlags/FlagInstant`` from
/// the caller's clock, measured against ``start``) and draws all randomness from
/// one seeded generator, so the same configuration, seed and sequence of
/// `handle` calls give the same journal.
///
/// Order of checks for a request: the rate limiters (per host, then global),
/// then an outage, then flapping, then the fault plan, else a normal answer.
/// Every request draws the same random numbers (one for the fault plan, then its
/// latency) whatever its outcome, so an outage added to a scenario does not
/// shift the random choices of the requests after it.
///
/// Thread safety: all mutable state sits behind one `pthread_mutex` lock
/// (see FeatureFlags' `Locked`); everything that depends only on time (truth, outages,
/// flapping) and building the response run outside it. The fault plan lives
/// under the lock because ``replaceFaults(_:)`` may change it while serving.
public final class FlagServerModel: Sendable {
    /// The configuration the model was built from (host names as given; its
    /// `faults` are the initial plan, see ``faults()`` for the one in force).
    public let configuration: FlagServerConfiguration
    /// The instant all configured times (`FlagFlip.at`, windows) are measured from.
    public let start: FlagInstant

    private let profiles: [String: FlagHostProfile]
    private let outages: [FlagServerOutage]
    private let flapping: [FlagServerFlapping]
    private let state: Locked<State>
    /// The 200 answers of every (value, TTL, spelling) the configured profiles can give, built once.
    ///
    /// Why: building the JSON (escaping the flag name, concatenating) was a
    /// tenth of the HTTP front end's CPU per request at 50,000 requests/s.
    private let okResponses: [OKResponseKey: FlagServerResponse]

    /// Builds a model answering as `configuration` says, with time measured from `start`.
    ///
    /// Host names in the configuration (profiles and host filters) are normalised
    /// as ``FeatureFlags/HostKey`` does. The configuration is not validated here:
    /// call ``FlagServerConfiguration/validate()`` first; out-of-range values are
    /// clamped rather than trapped on.
    public init(configuration: FlagServerConfiguration, start: FlagInstant) {
        self.configuration = configuration
        self.start = start
        var profiles: [String: FlagHostProfile] = [:]
        for (name, profile) in configuration.hosts {
            profiles[HostKey(name).normalized] = profile
        }
        self.profiles = profiles
        self.outages = configuration.outages.map { outage in
            var outage = outage
            outage.hosts = Self.normalize(outage.hosts)
            return outage
        }
        self.flapping = configuration.flapping.map { flapping in
            var flapping = flapping
            flapping.hosts = Self.normalize(flapping.hosts)
            return flapping
        }
        var okResponses: [OKResponseKey: FlagServerResponse] = [:]
        for profile in [configuration.defaultHost] + Array(configuration.hosts.values) {
            // Many distinct TTLs would only cost memory: past a bound, answers are built on demand.
            guard okResponses.count < Self.precomputedResponseLimit else { break }
            for value in [false, true] {
                let key = OKResponseKey(enabled: value, ttlSeconds: profile.ttlSeconds, spelling: profile.ttlSpelling)
                if okResponses[key] == nil {
                    okResponses[key] = .flags(name: configuration.flagName, enabled: value,
                                              ttlSeconds: profile.ttlSeconds, spelling: profile.ttlSpelling)
                }
            }
        }
        self.okResponses = okResponses
        var state = State(generator: SeededRandomGenerator(seed: configuration.seed))
        state.faults = Self.normalize(configuration.faults)
        if let global = configuration.rateLimits.global {
            state.globalBucket = TokenBucket(limit: global, now: start)
        }
        self.state = Locked(state)
    }

    // MARK: - Answering

    /// Decides the answer to one request for `host` (any spelling; it is normalised) arriving at `arrival`.
    ///
    /// The request is journalled and counted as in flight until ``finish(_:)``.
    public func handle(host: String, at arrival: FlagInstant) -> FlagServerDecision {
        handle(normalizedHost: HostKey(host).normalized, at: arrival)
    }

    /// ``handle(host:at:)`` for a host name already normalised as ``FeatureFlags/HostKey`` does (the HTTP front end's routing does).
    func handle(normalizedHost name: String, at arrival: FlagInstant) -> FlagServerDecision {
        let profile = profiles[name] ?? configuration.defaultHost
        let elapsed = self.elapsed(at: arrival)
        let value = profile.truth.value(after: elapsed)
        let latencyShape = profile.latency ?? configuration.latency

        // Everything that depends only on time is settled before taking the lock.
        let certainFailure: (status: Int, retryAfter: Int?)?
        if let outage = outages.first(where: { $0.window.contains(elapsed) && Self.matches($0.hosts, name) }) {
            certainFailure = (outage.status, outage.retryAfterSeconds)
        } else if let flap = flapping.first(where: { Self.matches($0.hosts, name) && $0.isDown(after: elapsed) }) {
            certainFailure = (flap.status, nil)
        } else {
            certainFailure = nil
        }
        let perHostLimit = configuration.rateLimits.perHost
        let journalLimit = configuration.journalEntryLimit

        let (requestID, latency, verdict) = state.withLock { state -> (Int, Duration, Verdict) in
            let requestID = state.nextRequestID
            state.nextRequestID += 1
            let faultDraw = state.generator.nextUnitDouble()
            let latency = max(latencyShape.sample(using: &state.generator), .zero)

            let verdict: Verdict
            if let retryAfter = state.admit(host: name, at: arrival, perHostLimit: perHostLimit) {
                verdict = .rateLimited(retryAfterSeconds: retryAfter)
            } else if let certainFailure {
                verdict = .fault(.status(certainFailure.status, retryAfterSeconds: certainFailure.retryAfter))
            } else if let fault = Self.pick(state.faults, elapsed: elapsed, host: name, draw: faultDraw) {
                verdict = .fault(fault)
            } else {
                verdict = .ok
            }
            let outcome = verdict.outcome(value: value)
            let entry = FlagServerJournalEntry(requestID: requestID, host: name, arrival: arrival,
                                               outcome: outcome, latency: outcome == .hang ? nil : latency)
            state.record(entry, journalLimit: journalLimit)
            return (requestID, latency, verdict)
        }

        // Act outside the lock: build the answer.
        let action: FlagServerDecision.Action
        switch verdict {
        case .ok:
            action = .respond(okResponse(profile: profile, value: value))
        case .rateLimited(let retryAfter):
            action = .respond(.status(429, retryAfterSeconds: retryAfter))
        case .fault(.status(let status, let retryAfter)):
            action = .respond(.status(status, retryAfterSeconds: retryAfter))
        case .fault(.hang):
            return FlagServerDecision(requestID: requestID, latency: .zero, action: .hang)
        case .fault(.reset):
            action = .reset
        case .fault(.emptyBody):
            action = .respond(.empty)
        case .fault(.malformedJSON):
            action = .respond(.malformed(name: configuration.flagName))
        case .fault(.slowBody(let duration)):
            action = .slowBody(okResponse(profile: profile, value: value), duration: duration)
        }
        return FlagServerDecision(requestID: requestID, latency: latency, action: action)
    }

    /// Marks the request of `decision` as finished (answered, reset, or abandoned by the client), ending its in-flight count.
    ///
    /// Front ends call it once the exchange is over, hangs included (when the
    /// client gives up). Finishing a request twice, or one the model never
    /// handed out, does nothing and returns `false`.
    @discardableResult
    public func finish(_ decision: FlagServerDecision) -> Bool {
        finish(requestID: decision.requestID)
    }

    /// Marks request `requestID` as finished (see ``finish(_:)``).
    @discardableResult
    public func finish(requestID: Int) -> Bool {
        state.withLock { $0.inFlight.remove(requestID) != nil }
    }

    /// The flag's true value for `host` (any spelling) at `instant`.
    ///
    /// Why: the harness counts a check as a wrong answer when the cache's value
    /// differs from this at the instant of the check.
    public func truth(host: String, at instant: FlagInstant) -> Bool {
        let profile = profiles[HostKey(host).normalized] ?? configuration.defaultHost
        return profile.truth.value(after: elapsed(at: instant))
    }

    /// Journals a request the server could not route (an unknown path), answered 404 at once.
    ///
    /// Why journalled: a driver pointed at the wrong path must show up in the
    /// journal (ground truth), not vanish. It draws no random number, takes no
    /// rate-limit token and is never in flight, so a stray request does not
    /// change the answers to the flag requests around it. `host` may be empty
    /// when the request carried no `Host` header. Returns the request's ID.
    @discardableResult
    public func recordUnroutable(path: String, host: String, at arrival: FlagInstant) -> Int {
        let name = HostKey(host).normalized
        let journalLimit = configuration.journalEntryLimit
        return state.withLock { state in
            let requestID = state.nextRequestID
            state.nextRequestID += 1
            let entry = FlagServerJournalEntry(requestID: requestID, host: name, arrival: arrival,
                                               outcome: .notFound(path: path), latency: .zero)
            state.record(entry, journalLimit: journalLimit, inFlight: false)
            return requestID
        }
    }

    // MARK: - Changing the fault plan

    /// The fault plan in force (host names normalised), in plan order.
    public func faults() -> [FlagServerFault] {
        state.withLock { $0.faults }
    }

    /// Replaces the fault plan from the next request on; returns the plan it replaced.
    ///
    /// Why under the lock: the fault is picked under the same lock that hands out
    /// request IDs, so each request sees either the old plan or the new one,
    /// never a mix. Every request still draws the same random numbers, so with
    /// no replacement the journal for a seed is unchanged, and after one the
    /// draws stay aligned with the request sequence. The plan is not validated
    /// here: check it with ``FlagServerConfiguration/validate()`` first.
    @discardableResult
    public func replaceFaults(_ faults: [FlagServerFault]) -> [FlagServerFault] {
        let normalized = Self.normalize(faults)
        return state.withLock { state in
            let previous = state.faults
            state.faults = normalized
            return previous
        }
    }

    // MARK: - Reading the journal

    /// Every journalled request so far, in arrival order (at most ``FlagServerConfiguration/journalEntryLimit``, the first ones).
    public func journal() -> [FlagServerJournalEntry] {
        // Copy the chunk list under the lock, flatten outside it.
        state.withLock { $0.journal }.flattened()
    }

    /// The last `limit` journalled requests (for `host`, any spelling, when given), in arrival order.
    ///
    /// Why: the admin surface shows the recent tail; copying the whole journal
    /// (millions of entries on a long run) for it would cost far more than the
    /// answer. Like ``journal()``, it holds the lock only to copy the chunk list.
    public func recentJournal(limit: Int, host: String? = nil) -> [FlagServerJournalEntry] {
        let storage = state.withLock { $0.journal }
        guard let host else { return storage.suffix(limit) { _ in true } }
        let name = HostKey(host).normalized
        return storage.suffix(limit) { $0.host == name }
    }

    /// A snapshot of the counters: totals, in-flight gauge, per-host counters and peaks.
    public func statistics() -> FlagServerStatistics {
        state.withLock { state in
            var hosts: [String: FlagServerHostStatistics] = [:]
            hosts.reserveCapacity(state.hosts.count)
            for (name, host) in state.hosts {
                hosts[name] = FlagServerHostStatistics(requests: host.requests,
                                                       outcomes: Self.dictionary(host.outcomes),
                                                       peakRequestsPerMinute: host.peakPerMinute)
            }
            return FlagServerStatistics(requests: state.nextRequestID,
                                        outcomes: Self.dictionary(state.outcomes),
                                        inFlight: state.inFlight.count,
                                        peakInFlight: state.peakInFlight,
                                        hosts: hosts,
                                        droppedJournalEntries: state.droppedJournalEntries)
        }
    }

    // MARK: - Helpers

    private func elapsed(at instant: FlagInstant) -> Duration {
        instant > start ? instant - start : .zero
    }

    private func okResponse(profile: FlagHostProfile, value: Bool) -> FlagServerResponse {
        let key = OKResponseKey(enabled: value, ttlSeconds: profile.ttlSeconds, spelling: profile.ttlSpelling)
        return okResponses[key] ?? .flags(name: configuration.flagName, enabled: value,
                                          ttlSeconds: profile.ttlSeconds, spelling: profile.ttlSpelling)
    }

    /// The most precomputed 200 answers kept (see ``okResponses``).
    static let precomputedResponseLimit = 1_024

    private static func normalize(_ faults: [FlagServerFault]) -> [FlagServerFault] {
        faults.map { fault in
            var fault = fault
            fault.hosts = normalize(fault.hosts)
            return fault
        }
    }

    private static func normalize(_ hosts: Set<String>?) -> Set<String>? {
        hosts.map { Set($0.map { HostKey($0).normalized }) }
    }

    private static func matches(_ hosts: Set<String>?, _ name: String) -> Bool {
        hosts?.contains(name) ?? true
    }

    /// The fault whose slice of `[0, 1)` holds `draw`, each fault that applies at
    /// `elapsed` to `host` owning a slice as wide as its probability, in plan order.
    ///
    /// Runs under the lock (the plan can be replaced at run time); it allocates
    /// nothing and a plan has a handful of entries.
    private static func pick(_ faults: [FlagServerFault], elapsed: Duration, host: String,
                             draw: Double) -> FlagServerFaultKind? {
        var upper = 0.0
        for fault in faults where (fault.window?.contains(elapsed) ?? true) && matches(fault.hosts, host) {
            upper += min(max(fault.probability, 0), 1)
            if draw < upper { return fault.kind }
        }
        return nil
    }

    private static func dictionary(_ counts: [Int]) -> [FlagServerOutcomeKind: Int] {
        var result: [FlagServerOutcomeKind: Int] = [:]
        for kind in FlagServerOutcomeKind.allCases where counts[kind.rawValue] > 0 {
            result[kind] = counts[kind.rawValue]
        }
        return result
    }
}

extension FlagServerModel {
    /// What a 200 answer depends on.
    struct OKResponseKey: Hashable {
        var enabled: Bool
        var ttlSeconds: Int
        var spelling: TTLSpelling
    }

    /// What the model decided under the lock, before the answer is built.
    enum Verdict {
        case ok
        case rateLimited(retryAfterSeconds: Int)
        case fault(FlagServerFaultKind)

        /// The journal's view of this verdict for a flag whose value is `value`.
        func outcome(value: Bool) -> FlagServerOutcome {
            switch self {
            case .ok: .ok(value)
            case .rateLimited(let retryAfter): .rateLimited(retryAfterSeconds: retryAfter)
            case .fault(.status(let status, _)): .status(status)
            case .fault(.hang): .hang
            case .fault(.reset): .reset
            case .fault(.emptyBody): .emptyBody
            case .fault(.malformedJSON): .malformedJSON
            case .fault(.slowBody(let duration)): .slowBody(value, duration: duration)
            }
        }
    }

    /// The model's mutable state, all behind one lock.
    struct State {
        var generator: SeededRandomGenerator
        var nextRequestID = 0
        var journal = FlagServerJournalStorage()
        var droppedJournalEntries = 0
        var outcomes = [Int](repeating: 0, count: FlagServerOutcomeKind.allCases.count)
        var inFlight: Set<Int> = []
        var peakInFlight = 0
        var hosts: [String: HostState] = [:]
        var globalBucket: TokenBucket?
        /// The fault plan in force, host names normalised.
        var faults: [FlagServerFault] = []

        init(generator: SeededRandomGenerator) {
            self.generator = generator
        }

        /// Takes a token from the host's bucket and the global one, or returns the
        /// `Retry-After` (seconds) of the bucket(s) that refused; takes nothing then.
        mutating func admit(host: String, at now: FlagInstant, perHostLimit: FlagServerRateLimit?) -> Int? {
            // A host's bucket starts full when its first request arrives.
            var hostBucket = perHostLimit.map { hosts[host]?.bucket ?? TokenBucket(limit: $0, now: now) }
            hostBucket?.refill(at: now)
            globalBucket?.refill(at: now)
            var retryAfter: Int?
            if let bucket = hostBucket, !bucket.hasToken { retryAfter = bucket.retryAfterSeconds }
            if let bucket = globalBucket, !bucket.hasToken { retryAfter = max(retryAfter ?? 0, bucket.retryAfterSeconds) }
            if retryAfter == nil {
                hostBucket?.take()
                globalBucket?.take()
            }
            if let hostBucket { hosts[host, default: HostState()].bucket = hostBucket }
            return retryAfter
        }

        /// Counts and journals one request, and marks it in flight unless told otherwise.
        mutating func record(_ entry: FlagServerJournalEntry, journalLimit: Int?, inFlight marksInFlight: Bool = true) {
            let kind = entry.outcome.kind.rawValue
            outcomes[kind] += 1
            if marksInFlight {
                inFlight.insert(entry.requestID)
                peakInFlight = max(peakInFlight, inFlight.count)
            }
            hosts[entry.host, default: HostState()].count(kind: kind, at: entry.arrival)
            if let journalLimit, journal.count >= journalLimit {
                droppedJournalEntries += 1
            } else {
                journal.append(entry)
            }
        }
    }

    /// One host's counters, rate-limit bucket and recent arrivals.
    struct HostState {
        static let minute: UInt64 = 60_000_000_000

        var requests = 0
        var outcomes = [Int](repeating: 0, count: FlagServerOutcomeKind.allCases.count)
        var bucket: TokenBucket?
        var peakPerMinute = 0
        /// Arrivals within the last minute, oldest first from `recentHead`.
        private var recent: [UInt64] = []
        private var recentHead = 0

        /// Counts a request and updates the sliding 60-second peak.
        mutating func count(kind: Int, at arrival: FlagInstant) {
            requests += 1
            outcomes[kind] += 1
            let now = arrival.nanoseconds
            recent.append(now)
            // A span of 60 s holds arrivals in (now - 60 s, now].
            while recentHead < recent.count, recent[recentHead] &+ Self.minute <= now {
                recentHead += 1
            }
            peakPerMinute = max(peakPerMinute, recent.count - recentHead)
            if recentHead > 64, recentHead * 2 > recent.count {
                recent.removeFirst(recentHead)
                recentHead = 0
            }
        }
    }
}
