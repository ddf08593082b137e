import Foundation
import Simulation
import StormReport

/// Race hunting: one scenario run in simulation under many seeds, each checked
/// against the scenario's correctness properties, with failing seeds replayed
/// exactly from their trace.
///
/// Why simulation: a race lives at a suspension point (a release while an
/// acquire is under way, an acquire during a close) and a realtime run on two
/// cores meets a given interleaving rarely and never twice. Under the seeded
/// executor every seed is one interleaving, runs in virtual time, and replays
/// identically (FoundationDB's simulation, TigerBeetle's VOPR and Shuttle work
/// this way).
package enum Hunt {
    /// One broken property of one seed's run.
    package struct Violation: Sendable, Hashable {
        /// The invariant or threshold that failed.
        package var property: String
        /// How often it failed (violations, or the threshold's observed value).
        package var count: Double
        /// What the engine saw first (an invariant's example, a threshold's message).
        package var example: String?
    }

    /// What one seed's run found.
    package struct Outcome: Sendable {
        package var seed: UInt64
        package var summary: RunSummary
        package var trace: SimulationTrace?
        package var violations: [Violation]
    }

    /// The properties a hunt checks: every invariant (gating or not: under `seed` they are exactly
    /// what the hunt looks for), and the scenario's `recommended` thresholds, which state what a
    /// correct cache must do whichever policy runs.
    package static func violations(in summary: RunSummary, correctness thresholds: [String]) -> [Violation] {
        var found = summary.invariants.filter { $0.violations > 0 }
            .map { Violation(property: "invariant \($0.name)", count: Double($0.violations), example: $0.example) }
        var judged = summary
        StormRunner.judge(&judged, thresholds: thresholds)
        found += judged.thresholds.filter { !$0.ok }
            .map { Violation(property: "threshold \($0.expression)", count: $0.value ?? 0, example: $0.message) }
        return found
    }

    /// Runs `settings` in simulation under `seed` (scenario choices and schedule alike) and checks it.
    package static func run(_ settings: RunSettings, seed: UInt64, strategy: SchedulingStrategy,
                            correctness thresholds: [String], environment: EnvironmentInfo,
                            traceCapacity: Int = 10_000) async throws -> Outcome {
        var seeded = settings
        seeded.mode = ScenarioMode.simulated.rawValue
        seeded.seed = seed
        seeded.server.seed = seed
        seeded.cache.jitterSeed = seed
        var limits = SimulationLimits()
        limits.traceCapacity = traceCapacity
        let (summary, trace) = try await ScenarioRun.simulate(seeded, environment: environment, strategy: strategy, limits: limits)
        return Outcome(seed: seed, summary: summary, trace: trace,
                       violations: violations(in: summary, correctness: thresholds))
    }

    /// Markers of a note that shows a property breaking (see the engine's notes).
    static let violationMarkers = ["WRONG", "still hold it", "a double release", "crashes (planted)"]

    /// The notes around the first one that shows a violation (or the last ones when none does):
    /// which connection did what, at what virtual time.
    package static func excerpt(of trace: SimulationTrace, before: Int = 14, after: Int = 3) -> [String] {
        let notes = trace.notes
        let lines = notes.map { event -> String in
            guard case .note(let label) = event.kind else { return "" }
            return "\(SimulationTrace.format(time: event.virtualTime).padding(toLength: 12, withPad: " ", startingAt: 0)) task \(event.task): \(label)"
        }
        let marked = notes.firstIndex { event in
            guard case .note(let label) = event.kind else { return false }
            return violationMarkers.contains { label.contains($0) }
        }
        guard let marked else { return Array(lines.suffix(before + after)) }
        return Array(lines[max(0, marked - before)...min(lines.count - 1, marked + after)])
    }
}
