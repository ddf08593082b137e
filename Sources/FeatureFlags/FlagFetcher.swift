/// Fetches a host's feature flag from the flag endpoint.
///
/// The `recommended` cache calls this at most once at a time per host (`seed`,
/// like the Go code, can overlap two when a host's context is deleted and
/// recreated during a fetch); what the call talks to
/// (AsyncHTTPClient in `FeatureFlagsHTTP`, the fake server's model in memory in
/// simulated runs, a scripted fake in unit tests) is invisible to the cache.
/// Implementations should honour task cancellation.
public protocol FlagFetcher: Sendable {
    /// Fetches the flag for `host`. Throws ``FlagFetchError`` for a server or
    /// decoding failure, `CancellationError` when cancelled.
    func fetchFlag(for host: HostKey) async throws -> FlagFetchResult
}

/// A successful answer from the flag endpoint.
public struct FlagFetchResult: Sendable, Hashable {
    /// Whether the flag is on (`value == "true"`; an absent flag is `false`).
    public var enabled: Bool
    /// The TTL the server advertised (`ttl_seconds` or `ttlSeconds`), if any.
    /// The `seed` policy ignores it, as the Go code did; `recommended` honours it within bounds.
    public var ttl: Duration?

    /// Creates a result.
    public init(enabled: Bool, ttl: Duration? = nil) {
        self.enabled = enabled
        self.ttl = ttl
    }
}

/// Why a fetch failed.
///
/// One concrete error type so that the cache can read what it needs for backoff
/// (the status, `Retry-After`) without knowing the transport.
public struct FlagFetchError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Hashable, Sendable {
        /// The server answered with a status other than 200.
        case httpStatus(Int)
        /// The body was not the expected JSON.
        case invalidResponse
        /// No answer within the fetch timeout.
        case timeout
        /// The connection failed (refused, reset, closed early).
        case transport
    }

    /// The kind of failure.
    public var kind: Kind
    /// `Retry-After` from a 429 or 503, if the server sent one.
    public var retryAfter: Duration?
    /// A human-readable detail for logs and reports.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, retryAfter: Duration? = nil, message: String = "") {
        self.kind = kind
        self.retryAfter = retryAfter
        self.message = message
    }

    /// The HTTP status when the failure was one.
    public var status: Int? {
        if case .httpStatus(let status) = kind { return status }
        return nil
    }

    public var description: String {
        let head: String = switch kind {
        case .httpStatus(let status): "HTTP \(status)"
        case .invalidResponse: "invalid response"
        case .timeout: "timed out"
        case .transport: "transport error"
        }
        let retry = retryAfter.map { ", Retry-After \($0)" } ?? ""
        return message.isEmpty ? head + retry : "\(head)\(retry): \(message)"
    }
}

/// Stands for a Go panic inside the fetch, which Swift has no way to recover from.
///
/// A fetcher (in tests and the W10 scenario) throws this to reproduce the
/// reference design's bug: its fetch cleared the in-flight mark without `defer`,
/// so a panic left the host "fetching" forever. The `seed` policy keeps that
/// mark set when it sees this error; `recommended` treats it like any failure.
public struct FlagFetchPanic: Error, Hashable, Sendable {
    /// Creates the stand-in for a panic.
    public init() {}
}
