import AsyncHTTPClient
import FeatureFlags
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
import struct FoundationEssentials.Date
#else
import struct Foundation.Date
#endif

/// Fetches a host's feature flag over HTTP with AsyncHTTPClient.
///
/// One `GET` per call, no retries (the cache decides when to try again, as in
/// the reference design): `User-Agent` from the configuration, the whole
/// exchange bounded by ``HTTPFlagFetcherConfiguration/timeout``, at most
/// ``HTTPFlagFetcherConfiguration/maximumBodyBytes`` read.
///
/// Outcomes:
/// - 200 with `{"flags":[{"name":…,"value":"true"}],"ttl_seconds":900}` → a
///   ``FlagFetchResult``. The value is compared with `"true"` case-insensitively
///   (`"TRUE"` is on; `"1"`, `"yes"` are not); an absent flag is off;
///   `ttl_seconds` (or `ttlSeconds`) becomes ``FlagFetchResult/ttl`` when positive.
/// - any other status → ``FlagFetchError/Kind/httpStatus(_:)`` with
///   `Retry-After` (delta-seconds or IMF-fixdate HTTP-date) when sent.
/// - a body that is not that JSON, or is larger than the limit → ``FlagFetchError/Kind/invalidResponse``.
/// - no complete answer within the timeout → ``FlagFetchError/Kind/timeout``.
/// - refused, reset or closed connections and other I/O failures → ``FlagFetchError/Kind/transport``.
/// - the calling task cancelled → `CancellationError` (the request is cancelled too).
///
/// ## Who shuts down what
///
/// - ``init(client:configuration:)`` borrows the client: the caller shuts it
///   down after the last fetch, and ``shutdown()`` does nothing.
/// - ``init(configuration:)`` uses `HTTPClient.shared`, which is never shut
///   down; ``shutdown()`` does nothing.
/// - ``init(configuration:owningClientOn:)`` creates and owns a client: call
///   ``shutdown()`` once, after the last fetch (AsyncHTTPClient asserts in debug
///   builds that a client is shut down before it is released). The event loop
///   group stays the caller's.
public final class HTTPFlagFetcher: FlagFetcher, Sendable {
    /// The settings this fetcher was created with.
    public let configuration: HTTPFlagFetcherConfiguration
    /// The client requests go through.
    public let client: HTTPClient
    private let ownsClient: Bool

    /// Creates a fetcher on a client the caller owns (and shuts down).
    ///
    /// Prefer a client built with ``makeClientConfiguration()``; any client works.
    public init(client: HTTPClient, configuration: HTTPFlagFetcherConfiguration = HTTPFlagFetcherConfiguration()) {
        self.client = client
        self.configuration = configuration
        self.ownsClient = false
    }

    /// Creates a fetcher on `HTTPClient.shared`, the process-wide client that is never shut down.
    ///
    /// Convenient for a process-wide cache; the shared client retries failed
    /// connection attempts until the timeout, so a refused connection surfaces
    /// only when the timeout ends (still as ``FlagFetchError/Kind/transport``).
    public convenience init(configuration: HTTPFlagFetcherConfiguration = HTTPFlagFetcherConfiguration()) {
        self.init(client: HTTPClient.shared, configuration: configuration)
    }

    /// Creates a fetcher that owns a new client on `eventLoopGroup` (configured
    /// by ``makeClientConfiguration()``); call ``shutdown()`` when done with it.
    public init(configuration: HTTPFlagFetcherConfiguration = HTTPFlagFetcherConfiguration(),
                owningClientOn eventLoopGroup: any EventLoopGroup) {
        self.client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: Self.makeClientConfiguration())
        self.configuration = configuration
        self.ownsClient = true
    }

    /// The client configuration this target recommends for flag fetches.
    ///
    /// AsyncHTTPClient's defaults, except that a failed connection attempt is
    /// not retried (`retryConnectionEstablishment = false`): like the reference
    /// design, one fetch is one attempt, a refused connection fails at once as
    /// ``FlagFetchError/Kind/transport``, and the cache's backoff decides when
    /// to try again. Adjust the returned value freely (for example the
    /// per-endpoint connection limit when a ``HTTPFlagFetcherConfiguration/baseURLOverride``
    /// funnels many hosts into one pool).
    public static func makeClientConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    /// Shuts the client down if this fetcher created it; otherwise does nothing.
    ///
    /// Call it once, after the last fetch has returned; a second call on an
    /// owning fetcher throws AsyncHTTPClient's `alreadyShutdown`.
    public func shutdown() async throws {
        guard ownsClient else { return }
        try await client.shutdown()
    }

    /// Fetches the flag for `host` (see the type's documentation for the outcomes).
    public func fetchFlag(for host: HostKey) async throws -> FlagFetchResult {
        try Task.checkCancellation()
        var request = HTTPClientRequest(url: configuration.url(for: host))
        request.method = .GET
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let hostHeader = configuration.hostHeader(for: host) {
            request.headers.add(name: "Host", value: hostHeader)
        }

        // Why two deadlines for one timeout: AsyncHTTPClient's deadline only
        // covers the wait for the response head (it is disarmed when `execute`
        // returns), so the body is read against the same instant on our side.
        let timeAmount = TimeAmount(configuration.timeout)
        let headDeadline = NIODeadline.now() + timeAmount
        let bodyDeadline = ContinuousClock.now + configuration.timeout

        do {
            let response = try await client.execute(request, deadline: headDeadline)
            let status = Int(response.status.code)
            guard status == 200 else {
                let retryAfter = response.headers.first(name: "Retry-After").flatMap {
                    RetryAfter.parse($0, now: Date())
                }
                // Drain (bounded) so the connection can be reused, as the Go code does;
                // a failure here changes nothing about the answer.
                let body = try? await collectBody(response.body, before: bodyDeadline)
                try Task.checkCancellation()
                throw FlagFetchError(.httpStatus(status), retryAfter: retryAfter,
                                     message: body.map(Self.excerpt) ?? "")
            }
            let body = try await collectBody(response.body, before: bodyDeadline)
            // A cancelled body stream may end early instead of throwing.
            try Task.checkCancellation()
            return try FlagEndpointResponse.decode(body, flagName: configuration.flagName)
        } catch {
            throw Self.translate(error, timeout: configuration.timeout)
        }
    }

    /// Reads the whole body, at most the configured size, before `deadline`.
    private func collectBody(
        _ body: HTTPClientResponse.Body, before deadline: ContinuousClock.Instant
    ) async throws -> ByteBuffer {
        let limit = configuration.maximumBodyBytes
        let timeout = configuration.timeout
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: limit) }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            // Whichever child finishes first decides; the other is cancelled
            // (a cancelled body stream cancels the request in AsyncHTTPClient).
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else {
                throw FlagFetchError(.timeout, message: "body not complete within \(timeout)")
            }
            return buffer
        }
    }

    /// Maps whatever a fetch threw to ``FlagFetchError`` or `CancellationError`.
    static func translate(_ error: any Error, timeout: Duration) -> any Error {
        // Cancellation first: AsyncHTTPClient reports a cancelled request as
        // `HTTPClientError.cancelled`, or as the last connection error if the
        // request was still waiting for a connection.
        if Task.isCancelled || error is CancellationError { return CancellationError() }
        if let error = error as? FlagFetchError { return error }
        if error is NIOTooManyBytesError {
            return FlagFetchError(.invalidResponse, message: "body larger than the limit")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout,
                 .getConnectionFromPoolTimeout, .tlsHandshakeTimeout,
                 .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
                return FlagFetchError(.timeout, message: "no answer within \(timeout) (\(error))")
            default:
                return FlagFetchError(.transport, message: "\(error)")
            }
        }
        if case ChannelError.connectTimeout = error {
            return FlagFetchError(.timeout, message: "connect timed out (\(error))")
        }
        return FlagFetchError(.transport, message: "\(error)")
    }

    /// The start of an error body, for log messages.
    private static func excerpt(_ buffer: ByteBuffer) -> String {
        let text = String(decoding: buffer.readableBytesView.prefix(200), as: UTF8.self)
        return text.trimmingWhitespace()
    }
}
