import FeatureFlags

/// How the fake server answered one request.
public enum FlagServerOutcome: Sendable, Hashable {
    /// 200 with the flag's value.
    case ok(Bool)
    /// A status other than 200 from a fault, an outage or flapping (not the rate limiter).
    case status(Int)
    /// 429 from a rate limiter, with its `Retry-After`.
    case rateLimited(retryAfterSeconds: Int)
    /// No answer.
    case hang
    /// Connection reset.
    case reset
    /// 200 with an empty body.
    case emptyBody
    /// 200 with malformed JSON.
    case malformedJSON
    /// 200 with the flag's value, delivered slowly over `duration`.
    case slowBody(Bool, duration: Duration)
    /// 404: the request asked for a path the server does not serve (see ``FlagServerModel/recordUnroutable(path:host:at:)``).
    case notFound(path: String)

    /// The outcome without its details, for counting.
    public var kind: FlagServerOutcomeKind {
        switch self {
        case .ok: .ok
        case .status: .status
        case .rateLimited: .rateLimited
        case .hang: .hang
        case .reset: .reset
        case .emptyBody: .emptyBody
        case .malformedJSON: .malformedJSON
        case .slowBody: .slowBody
        case .notFound: .notFound
        }
    }
}

/// The kinds of ``FlagServerOutcome``, for counters.
public enum FlagServerOutcomeKind: Int, Sendable, Hashable, CaseIterable, Comparable {
    /// See ``FlagServerOutcome/ok(_:)``.
    case ok
    /// See ``FlagServerOutcome/status(_:)``.
    case status
    /// See ``FlagServerOutcome/rateLimited(retryAfterSeconds:)``.
    case rateLimited
    /// See ``FlagServerOutcome/hang``.
    case hang
    /// See ``FlagServerOutcome/reset``.
    case reset
    /// See ``FlagServerOutcome/emptyBody``.
    case emptyBody
    /// See ``FlagServerOutcome/malformedJSON``.
    case malformedJSON
    /// See ``FlagServerOutcome/slowBody(_:duration:)``.
    case slowBody
    /// See ``FlagServerOutcome/notFound(path:)``.
    case notFound

    /// A short stable name for reports and JSON: `ok`, `status`, `rate_limited`,
    /// `hang`, `reset`, `empty_body`, `malformed_json`, `slow_body`, `not_found`.
    public var label: String {
        switch self {
        case .ok: "ok"
        case .status: "status"
        case .rateLimited: "rate_limited"
        case .hang: "hang"
        case .reset: "reset"
        case .emptyBody: "empty_body"
        case .malformedJSON: "malformed_json"
        case .slowBody: "slow_body"
        case .notFound: "not_found"
        }
    }

    /// Declaration order, so reports list outcomes the same way every time.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One request as the fake server saw it.
///
/// Why a journal: the harness counts fetches from the server's side (ground
/// truth, not the client's opinion of itself), and two runs with one seed are
/// compared entry by entry.
public struct FlagServerJournalEntry: Sendable, Hashable {
    /// The request's sequence number (0-based, in arrival order at the model).
    public var requestID: Int
    /// The normalised host name.
    public var host: String
    /// When it arrived, on the caller's clock.
    public var arrival: FlagInstant
    /// How it was answered.
    public var outcome: FlagServerOutcome
    /// The latency served before the answer (time to the head), `nil` for a hang.
    public var latency: Duration?

    /// Creates an entry.
    public init(requestID: Int, host: String, arrival: FlagInstant, outcome: FlagServerOutcome, latency: Duration?) {
        self.requestID = requestID
        self.host = host
        self.arrival = arrival
        self.outcome = outcome
        self.latency = latency
    }
}
