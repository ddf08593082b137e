/// A misbehaviour the fake server can inject into one answer.
///
/// Why these: each maps to a distinct client path. A status exercises backoff
/// (and `Retry-After`), a hang the fetch timeout, a reset the transport error
/// path, an empty or malformed body the decoder, a slow body the body deadline.
public enum FlagServerFaultKind: Sendable, Hashable {
    /// Answer with `status` (e.g. 500, 503, or 429), with `Retry-After: retryAfterSeconds` when given.
    case status(Int, retryAfterSeconds: Int? = nil)
    /// Never answer: the client waits until it gives up (or is cancelled).
    case hang
    /// Reset the connection after the latency, without an answer.
    case reset
    /// Answer 200 with an empty body.
    case emptyBody
    /// Answer 200 with a truncated, unparseable JSON body.
    case malformedJSON
    /// Answer 200 with the right body, but deliver it over `duration` after the head.
    case slowBody(Duration)
}

/// One entry of the fault plan: a kind of fault, how often it fires and, optionally, when and for which hosts.
///
/// Why probabilities are absolute: all faults that apply to a request share one
/// draw, each owning a slice of `[0, 1)` in plan order, so a fault with
/// probability 0.1 fires on 10 % of the requests it applies to regardless of the
/// other faults (as long as the applicable probabilities sum to at most 1).
public struct FlagServerFault: Sendable, Hashable {
    /// What happens when the fault fires.
    public var kind: FlagServerFaultKind
    /// The chance, in `0...1`, that it fires on a request it applies to.
    public var probability: Double
    /// When it applies, or `nil` for always.
    public var window: FlagServerTimeWindow?
    /// The (normalised) host names it applies to, or `nil` for every host.
    public var hosts: Set<String>?

    /// Creates a fault plan entry.
    public init(_ kind: FlagServerFaultKind, probability: Double,
                window: FlagServerTimeWindow? = nil, hosts: Set<String>? = nil) {
        self.kind = kind
        self.probability = probability
        self.window = window
        self.hosts = hosts
    }
}
