import FeatureFlags
import FlagServer

/// Where a run's fetches go: the fake server's model behind some transport.
///
/// Why a seam: realtime runs put the model behind the SwiftNIO front end and
/// fetch over loopback HTTP with the core's real fetcher; engine tests that
/// need determinism use the in-memory transport (named as the fake it is).
package protocol FlagServerEndpoint: Sendable {
    /// The model answering (its journal is the ground truth of fetch counts).
    var model: FlagServerModel { get }
    /// The fetcher the cache should use to reach this endpoint.
    func makeFetcher(timeout: Duration) -> any FlagFetcher
    /// Stops the endpoint and whatever the fetchers it made hold.
    func shutdown() async
}

/// The model answering in memory, latency waited on the real clock.
package struct InMemoryFlagServerEndpoint: FlagServerEndpoint {
    package let model: FlagServerModel

    package init(model: FlagServerModel) { self.model = model }

    package func makeFetcher(timeout: Duration) -> any FlagFetcher {
        InMemoryFlagTransport(model: model, clock: CoarseMonotonicClock(), flagName: model.configuration.flagName)
    }

    package func shutdown() async {}
}
