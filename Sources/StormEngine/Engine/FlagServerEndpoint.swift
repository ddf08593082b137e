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

/// The model answering in memory, latency waited on `clock` (the real one by default; the virtual one in simulated runs).
package struct InMemoryFlagServerEndpoint: FlagServerEndpoint {
    package let model: FlagServerModel
    let clock: any FlagClock

    package init(model: FlagServerModel, clock: any FlagClock = CoarseMonotonicClock()) {
        self.model = model
        self.clock = clock
    }

    package func makeFetcher(timeout: Duration) -> any FlagFetcher {
        InMemoryFlagTransport(model: model, clock: clock, flagName: model.configuration.flagName)
    }

    package func shutdown() async {}
}
