import FeatureFlags
import FlagServer

/// A process's telemetry client for one host in a plan's simulation: while it lives it exports its
/// events to the flag endpoint's server model every interval (and once more when it closes, when
/// the plan says so), each export a request against the same limits as the flag fetches.
///
/// Why in the plan and not the core: the core's clients are the driver's business; a plan only
/// needs the load their exports put on the endpoint. The export loop runs on the simulation's
/// executor (through the spawner), so it is as deterministic as the rest of the run; it notices a
/// close at its next tick and ends there.
final class PlanTelemetryClient: TelemetryClient, @unchecked Sendable {
    // @unchecked: only the simulation's single thread touches it.
    private let host: HostKey
    private let hostIndex: Int
    private let telemetry: PlanTelemetry
    private let model: FlagServerModel
    private let meter: PlanLoadMeter
    private let clock: EngineClock
    private let origin: UInt64
    private var closed = false
    private var pending = 0

    init(host: HostKey, hostIndex: Int, telemetry: PlanTelemetry, model: FlagServerModel, meter: PlanLoadMeter,
         clock: EngineClock, origin: UInt64) {
        self.host = host
        self.hostIndex = hostIndex
        self.telemetry = telemetry
        self.model = model
        self.meter = meter
        self.clock = clock
        self.origin = origin
    }

    func start() async throws {
        let interval = UInt64(max(telemetry.exportInterval.flagNanoseconds, 1))
        let clock = clock
        clock.spawner.spawn { [self] in
            var next = clock.now() &+ interval
            while true {
                // A cancelled sleep would otherwise export again and again at one instant.
                guard (try? await clock.sleep(until: next)) != nil, !closed else { return }
                export()
                next &+= interval
            }
        }
    }

    func record(_ event: TelemetryEvent) { pending += 1 }

    func close() async {
        closed = true
        if telemetry.flushOnClose, pending > 0 { export() }
    }

    /// Sends the pending events: one request to the endpoint, answered at once (an export's latency does not matter here).
    private func export() {
        let now = clock.now()
        let decision = model.handle(host: host.normalized, at: FlagInstant(nanoseconds: now))
        model.finish(decision)
        let outcome: PlanLoadMeter.Outcome
        switch decision.action {
        case .respond(let response) where response.status == 200: outcome = .ok
        case .respond(let response) where response.status == 429: outcome = .rateLimited
        default: outcome = .failed
        }
        meter.exportArrived(host: hostIndex, at: now &- origin, outcome: outcome)
        pending = 0
    }
}
