@testable import FeatureFlags

/// A one-shot latch a test opens by hand, and that tells the test who is waiting on it.
final class Latch: Sendable {
    private struct State {
        var open = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var arrivals = 0
        var arrivalWatchers: [(Int, CheckedContinuation<Void, Never>)] = []
    }

    private let state = Locked(State())

    /// Waits until the latch is opened.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (resumeNow, watchers) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                state.arrivals += 1
                let arrivals = state.arrivals
                var ready: [CheckedContinuation<Void, Never>] = []
                state.arrivalWatchers.removeAll { if $0.0 <= arrivals { ready.append($0.1); return true }; return false }
                if state.open { return (true, ready) }
                state.waiters.append(continuation)
                return (false, ready)
            }
            for watcher in watchers { watcher.resume() }
            if resumeNow { continuation.resume() }
        }
    }

    /// Opens the latch: current and future waiters pass.
    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once `count` callers have arrived at ``wait()`` (opened or not).
    func waitForArrivals(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.arrivals >= count { return true }
                state.arrivalWatchers.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}

/// A telemetry client for tests: counts its calls, can hold `start()` or
/// `close()` on a latch, and can fail its start.
final class ScriptedTelemetryClient: TelemetryClient {
    private struct Counts {
        var starts = 0
        var closes = 0
        var events = 0
        var eventsAfterClose = 0
        var closeFinished = false
    }

    let host: HostKey
    let serial: Int
    private let startLatch: Latch?
    /// Read at close time, so a test can hold the close of a client created earlier.
    private let closeLatch: @Sendable () -> Latch?
    private let failStart: Bool
    private let counts = Locked(Counts())

    init(host: HostKey, serial: Int, startLatch: Latch?, closeLatch: @escaping @Sendable () -> Latch?,
         failStart: Bool) {
        self.host = host
        self.serial = serial
        self.startLatch = startLatch
        self.closeLatch = closeLatch
        self.failStart = failStart
    }

    struct StartFailure: Error {}

    func start() async throws {
        counts.withLock { $0.starts += 1 }
        await startLatch?.wait()
        if failStart { throw StartFailure() }
    }

    func record(_ event: TelemetryEvent) {
        counts.withLock {
            $0.events += 1
            if $0.closes > 0 { $0.eventsAfterClose += 1 }
        }
    }

    func close() async {
        counts.withLock { $0.closes += 1 }
        await closeLatch()?.wait()
        counts.withLock { $0.closeFinished = true }
    }

    var startCount: Int { counts.withLock { $0.starts } }
    var closeCount: Int { counts.withLock { $0.closes } }
    var eventCount: Int { counts.withLock { $0.events } }
    var eventsAfterClose: Int { counts.withLock { $0.eventsAfterClose } }
    /// Started and not (yet) closed.
    var isLive: Bool { counts.withLock { $0.starts > 0 && $0.closes == 0 } }
}

/// Builds ``ScriptedTelemetryClient``s and remembers them in creation order.
final class ClientFactoryRecorder: Sendable {
    private struct State {
        var clients: [ScriptedTelemetryClient] = []
        var startLatches: [String: Latch] = [:]
        var closeLatch: Latch?
        var failingHosts: Set<String> = []
    }

    private let state = Locked(State())

    /// Holds `start()` of clients for `host` (normalised spelling) on `latch`.
    func holdStart(of host: String, on latch: Latch) { state.withLock { $0.startLatches[host] = latch } }
    /// Holds every `close()` on `latch`.
    func holdClose(on latch: Latch?) { state.withLock { $0.closeLatch = latch } }
    /// Makes starts of `host` fail.
    func failStart(of host: String, _ fail: Bool = true) {
        state.withLock { if fail { $0.failingHosts.insert(host) } else { $0.failingHosts.remove(host) } }
    }

    var factory: TelemetryClientFactory {
        { [self] host in
            state.withLock { state in
                let client = ScriptedTelemetryClient(
                    host: host, serial: state.clients.count,
                    startLatch: state.startLatches[host.normalized], closeLatch: { [self] in closeLatch },
                    failStart: state.failingHosts.contains(host.normalized))
                state.clients.append(client)
                return client
            }
        }
    }

    var clients: [ScriptedTelemetryClient] { state.withLock { $0.clients } }
    var closeLatch: Latch? { state.withLock { $0.closeLatch } }
}
