import FeatureFlags
import Synchronization

/// What the harness's telemetry clients saw happen to them: starts, closes,
/// events after close, closes of a client still in use, live clients per host.
///
/// Why a ledger beside the core: the core's own counters say what it *did*;
/// the ledger says what a client *experienced*, which is where W4 (a client
/// closed under a connection still using it), W5 (a slow start blocking other
/// hosts) and W6 (two live clients for one host) show. Starts and closes are
/// rare next to checks, so one lock is fine here; events after close are counted with
/// atomics on the client.
final class TelemetryLedger: Sendable {
    struct HostLifecycle {
        var live = 0
        var peakLive = 0
        var secondClientExample: String?
        var startsInFlight = 0
    }

    struct State {
        var hosts: [Int: HostLifecycle] = [:]
        var started = 0
        var closed = 0
        var startsInFlight = 0
        var closedWhileInUse = 0
        var closedWhileInUseExample: String?
        var secondLiveClients = 0
        var secondLiveClientExample: String?
        var blockedByOtherHost = 0
        var blockedExample: String?
    }

    private let state = Locked(State())
    let eventsAfterClose = Atomic<Int>(0)
    /// Clients started and not yet closed, all hosts (read by the timeline's sampler without the lock).
    let liveClientCount = Atomic<Int>(0)
    let origin: UInt64
    /// Real or virtual time: when starts end and closes happen, and what client delays wait on.
    let clock: EngineClock

    init(origin: UInt64, clock: EngineClock = .realtime) {
        self.origin = origin
        self.clock = clock
    }

    func startBegan(host: Int) {
        state.withLock { state in
            state.startsInFlight += 1
            state.hosts[host, default: HostLifecycle()].startsInFlight += 1
        }
    }

    func startEnded(host: Int, name: String, succeeded: Bool) {
        let now = clock.now()
        clock.note("client \(name) \(succeeded ? "started" : "failed to start")")
        state.withLock { state in
            state.startsInFlight -= 1
            state.hosts[host, default: HostLifecycle()].startsInFlight -= 1
            guard succeeded else { return }
            state.started += 1
            liveClientCount.add(1, ordering: .relaxed)
            var lifecycle = state.hosts[host, default: HostLifecycle()]
            lifecycle.live += 1
            lifecycle.peakLive = max(lifecycle.peakLive, lifecycle.live)
            if lifecycle.live > 1 {
                state.secondLiveClients += 1
                if state.secondLiveClientExample == nil {
                    state.secondLiveClientExample =
                        "\(name): client started at \(Self.format(now - origin)) while \(lifecycle.live - 1) other client(s) for the host were still live (not yet closed)"
                }
            }
            state.hosts[host] = lifecycle
        }
    }

    func closeEnded(host: Int) {
        state.withLock { state in
            state.closed += 1
            state.hosts[host, default: HostLifecycle()].live -= 1
            liveClientCount.add(-1, ordering: .relaxed)
        }
    }

    func closedWhileInUse(name: String, users: Int) {
        let now = clock.now()
        state.withLock { state in
            state.closedWhileInUse += 1
            if state.closedWhileInUseExample == nil {
                state.closedWhileInUseExample =
                    "\(name): client closed at \(Self.format(now - origin)) while \(users) connection(s) still held it"
            }
        }
    }

    /// Whether some host other than `host` has a client start in flight right now.
    func otherHostStarting(besides host: Int) -> Bool {
        state.withLock { state in
            state.startsInFlight - (state.hosts[host]?.startsInFlight ?? 0) > 0
        }
    }

    func acquireBlockedByOtherHost(name: String, waited: UInt64) {
        state.withLock { state in
            state.blockedByOtherHost += 1
            if state.blockedExample == nil {
                state.blockedExample = "\(name): client acquire waited \(Self.format(waited)) while another host's client was starting"
            }
        }
    }

    var snapshot: State { state.withLock { $0 } }

    var liveClients: Int { state.withLock { $0.hosts.values.reduce(0) { $0 + $1.live } } }

    static func format(_ nanoseconds: UInt64) -> String {
        if nanoseconds >= 1_000_000_000 { return "\(Double(nanoseconds / 1_000_000) / 1_000)s" }
        if nanoseconds >= 1_000_000 { return "\(Double(nanoseconds / 1_000) / 1_000)ms" }
        return "\(Double(nanoseconds) / 1_000)µs"
    }
}

/// A telemetry client that records its lifecycle in a ``TelemetryLedger`` and
/// takes as long to start and close as the scenario says.
///
/// Named for what it is: a harness client standing in for a driver's real
/// exporter (which would flush over the network on close).
final class InstrumentedTelemetryClient: TelemetryClient {
    let host: Int
    let name: String
    let ledger: TelemetryLedger
    let startDelay: Duration
    let closeDelay: Duration
    /// Connections currently holding this client (incremented after acquire, decremented before release).
    let users = Atomic<Int>(0)
    private let closing = Atomic<Bool>(false)

    init(host: Int, name: String, ledger: TelemetryLedger, startDelay: Duration, closeDelay: Duration) {
        self.host = host
        self.name = name
        self.ledger = ledger
        self.startDelay = startDelay
        self.closeDelay = closeDelay
    }

    func start() async throws {
        ledger.startBegan(host: host)
        do {
            try await ledger.clock.sleep(for: startDelay)
        } catch {
            ledger.startEnded(host: host, name: name, succeeded: false)
            throw error
        }
        ledger.startEnded(host: host, name: name, succeeded: true)
    }

    func record(_ event: TelemetryEvent) {
        if closing.load(ordering: .acquiring) {
            ledger.eventsAfterClose.add(1, ordering: .relaxed)
        }
    }

    func close() async {
        closing.store(true, ordering: .releasing)
        let users = users.load(ordering: .acquiring)
        if users > 0 { ledger.closedWhileInUse(name: name, users: users) }
        ledger.clock.note(users > 0 ? "client \(name) closes while \(users) connection(s) still hold it" : "client \(name) closes")
        try? await ledger.clock.sleep(for: closeDelay)
        ledger.closeEnded(host: host)
    }
}
