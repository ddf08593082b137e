import AsyncHTTPClient
import FeatureFlags
import FeatureFlagsHTTP
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
@testable import FlagServer

/// A running ``FlagHTTPServer`` on port 0 with a plain client and the project's fetcher pointed at it.
struct ServerHarness {
    let server: FlagHTTPServer
    let client: HTTPClient
    let clock: any FlagClock

    var model: FlagServerModel { server.model }

    /// A fetcher on the harness's client, sending every host to the server (`Host` carries the name).
    func fetcher(timeout: Duration = .seconds(5)) -> HTTPFlagFetcher {
        HTTPFlagFetcher(client: client,
                        configuration: HTTPFlagFetcherConfiguration(timeout: timeout, baseURLOverride: server.baseURL))
    }

    /// One raw request: status, headers and body text as the wire carried them.
    func request(_ path: String = "/api/2.0/connector-service/feature-flags/GOLANG/1.0.0", host: String? = "a.example",
                 method: HTTPMethod = .GET, body: String? = nil) async throws -> RawResponse {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = method
        if let host { request.headers.add(name: "Host", value: host) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(5))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return RawResponse(status: Int(response.status.code), headers: response.headers,
                           body: String(buffer: bytes))
    }
}

/// What a raw request got back.
struct RawResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    var retryAfter: String? { headers.first(name: "Retry-After") }
}

/// Runs `body` against a fresh server for `configuration` (model started at `clock.now()`) on its own
/// two-thread group, then shuts client, server and group down, whether `body` threw or not.
func withServer<Result>(
    _ configuration: FlagServerConfiguration = FlagServerConfiguration(),
    clock: any FlagClock = CoarseMonotonicClock(),
    _ body: (ServerHarness) async throws -> Result
) async throws -> Result {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    let model = FlagServerModel(configuration: configuration, start: clock.now())
    let server: FlagHTTPServer
    do {
        server = try await FlagHTTPServer.start(model: model, clock: clock, eventLoopGroup: group)
    } catch {
        try await group.shutdownGracefully()
        throw error
    }
    var clientConfiguration = HTTPFlagFetcher.makeClientConfiguration()
    clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
    let client = HTTPClient(eventLoopGroup: group, configuration: clientConfiguration)
    let result: Swift.Result<Result, any Error>
    do {
        result = .success(try await body(ServerHarness(server: server, client: client, clock: clock)))
    } catch {
        result = .failure(error)
    }
    try await client.shutdown()
    try await server.shutdown()
    try await group.shutdownGracefully()
    return try result.get()
}

/// A configuration whose every request gets `fault`.
func always(_ fault: FlagServerFaultKind) -> FlagServerConfiguration {
    FlagServerConfiguration(faults: [FlagServerFault(fault, probability: 1)])
}
