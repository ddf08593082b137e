import FeatureFlags
import FeatureFlagsHTTP
import Testing

/// Runs `body` with a fetcher owning a new HTTP client on the server's event
/// loop group, and shuts the fetcher (so its client) down afterwards, whether
/// `body` threw or not.
func withFetcher<Result>(
    _ server: LoopbackFlagServer,
    configuration: HTTPFlagFetcherConfiguration? = nil,
    _ body: (HTTPFlagFetcher) async throws -> Result
) async throws -> Result {
    let fetcher = HTTPFlagFetcher(
        configuration: configuration ?? server.fetcherConfiguration(), owningClientOn: server.group)
    let result: Swift.Result<Result, any Error>
    do {
        result = .success(try await body(fetcher))
    } catch {
        result = .failure(error)
    }
    try await fetcher.shutdown()
    return try result.get()
}

/// Runs `body` with a loopback server replying `reply` to every request and a fetcher pointed at it.
func withServerAndFetcher<Result>(
    replying reply: ScriptedReply,
    configure: (inout HTTPFlagFetcherConfiguration) -> Void = { _ in },
    _ body: (LoopbackFlagServer, HTTPFlagFetcher) async throws -> Result
) async throws -> Result {
    try await withLoopbackServer(replying: { _ in reply }) { server in
        var configuration = server.fetcherConfiguration()
        configure(&configuration)
        return try await withFetcher(server, configuration: configuration) { fetcher in
            try await body(server, fetcher)
        }
    }
}

/// The ``FlagFetchError`` that `operation` throws, recording an issue when it returns or throws something else.
func fetchError(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ operation: () async throws -> FlagFetchResult
) async -> FlagFetchError? {
    do {
        let result = try await operation()
        Issue.record("expected a FlagFetchError, got \(result)", sourceLocation: sourceLocation)
        return nil
    } catch let error as FlagFetchError {
        return error
    } catch {
        Issue.record("expected a FlagFetchError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A host key for the tests (any name works: requests go to the loopback server).
let testHost = HostKey("workspace-1.cloud.example.com")
