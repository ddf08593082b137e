import AsyncHTTPClient
import Dispatch
import FeatureFlags
import FeatureFlagsHTTP
import FlagServer
import NIOPosix

/// The realtime endpoint: the model behind the SwiftNIO front end on
/// 127.0.0.1 (an ephemeral port), reached by the core's real HTTP fetcher with
/// the base URL pointed at it and each flag host in the `Host` header.
///
/// The fetchers share one client whose per-endpoint connection limit is raised:
/// every host funnels into one loopback endpoint, and AsyncHTTPClient's default
/// of 8 connections would queue a cold herd over many hosts in the harness
/// rather than at the server.
package final class HTTPFlagServerEndpoint: FlagServerEndpoint {
    package let server: FlagHTTPServer
    private let client: HTTPClient

    package var model: FlagServerModel { server.model }

    private init(server: FlagHTTPServer, client: HTTPClient) {
        self.server = server
        self.client = client
    }

    /// Creates what lives for the whole process and opens descriptors on
    /// first use (NIO's shared event loops; the concurrency runtime's timer,
    /// a `timerfd` created by the first `Task.sleep`), so per-run descriptor
    /// counts start after them.
    ///
    /// Why every clock: libdispatch, which times sleeps on Linux, opens one
    /// `timerfd` per clock (wall, uptime, monotonic) on the first timer of that
    /// clock, and keeps it. `Task.sleep(for:)` uses one, `Task.sleep(nanoseconds:)`
    /// and `DispatchQueue.asyncAfter(deadline:)` another, `wallDeadline` the third;
    /// a first use of one of them during the first run showed as `fdGrowth` +1
    /// (`anon_inode:[timerfd]`) in about one fresh process in twelve. So each is
    /// used once here, at several priorities, and every event loop runs a task so
    /// that each loop's selector descriptors exist before the count.
    package static func prepareProcessWideResources() async {
        for loop in MultiThreadedEventLoopGroup.singleton.makeIterator() {
            try? await loop.submit {}.get()
        }
        await withTaskGroup(of: Void.self) { group in
            for priority in [TaskPriority.high, .medium, .low, .background, .userInitiated, .utility] {
                group.addTask(priority: priority) {
                    try? await Task.sleep(for: .milliseconds(1))
                    try? await Task.sleep(for: .milliseconds(1), clock: .suspending)
                    try? await Task.sleep(nanoseconds: 1_000_000)
                }
            }
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(1)) {
                DispatchQueue.global().asyncAfter(wallDeadline: .now() + .milliseconds(1)) { done.resume() }
            }
        }
    }

    /// Starts a server for `model` on an ephemeral loopback port; returns once it listens.
    package static func start(model: FlagServerModel) async throws -> HTTPFlagServerEndpoint {
        let server = try await FlagHTTPServer.start(model: model)
        var configuration = HTTPFlagFetcher.makeClientConfiguration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        return HTTPFlagServerEndpoint(server: server, client: client)
    }

    package func makeFetcher(timeout: Duration) -> any FlagFetcher {
        var configuration = HTTPFlagFetcherConfiguration()
        configuration.baseURLOverride = server.baseURL
        configuration.flagName = model.configuration.flagName
        // The cache's fetch timeout governs; the fetcher's own is a backstop just beyond it.
        configuration.timeout = timeout + .milliseconds(100)
        return HTTPFlagFetcher(client: client, configuration: configuration)
    }

    package func shutdown() async {
        try? await client.shutdown()
        try? await server.shutdown()
    }
}
