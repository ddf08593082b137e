import ArgumentParser
import FeatureFlags
import Foundation
import Reporting
import Simulation
import StormEngine
import StormReport

/// `flagstorm hunt`: runs one scenario in simulation under many seeds and reports the seeds whose
/// interleaving broke a property, each with a trace excerpt and a check that it replays exactly.
struct HuntCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hunt",
        abstract: "Hunt races: run a scenario in simulation under many seeds and report the interleavings that break it.",
        discussion: """
            Each seed fixes the scenario's random choices and the schedule of the seeded single-threaded executor, \
            in virtual time. A run is checked against every invariant and the scenario's recommended thresholds \
            (what a correct cache must do, whichever policy runs). A failing seed is run again and its trace \
            digest compared (determinism check); `--replay SEED` prints its trace. Exit codes: 0 nothing found; \
            1 a seed broke a property (or the simulation stalled); 64 bad input.
            """)

    @Argument(help: "The scenario file to hunt in (its mode is ignored: hunts always simulate).")
    var scenario: String

    @Option(help: "seed, recommended or both.")
    var policy: PolicyChoice = .recommended

    @Option(help: "How many seeds to try, from --from.")
    var seeds: Int = 1_000

    @Option(help: "The first seed.")
    var from: UInt64 = 1

    @Option(help: "The last seed (instead of --seeds).")
    var to: UInt64?

    @Option(help: "Scheduling strategy: random, pct (depth 3), pct:D or pct:D:EXPECTED-STEPS.")
    var strategy: String = "random"

    @Option(help: "Stop after this much wall time, e.g. 60s or 5m.")
    var timeBudget: String = "60s"

    @Option(help: "Stop after this many failing seeds.")
    var maxFailures: Int = 3

    @Option(help: "Run only this seed, twice, check the traces are identical and print the trace.")
    var replay: UInt64?

    @Option(help: "Trace lines to print around the first violation.")
    var traceLines: Int = 18

    @Flag(help: ArgumentHelp("Test only: recommended's client manager with a planted check-then-act race.", visibility: .hidden))
    var plantedRace = false

    func validate() throws {
        guard SchedulingStrategy(name: strategy) != nil else {
            throw ValidationError("--strategy: expected random, pct, pct:D or pct:D:K, got '\(strategy)'")
        }
        guard ScenarioSyntax.parseDuration(timeBudget) != nil else {
            throw ValidationError("--time-budget: expected a duration such as 60s or 5m, got '\(timeBudget)'")
        }
        if let to, to < from { throw ValidationError("--to \(to) is before --from \(from)") }
        guard seeds >= 1 else { throw ValidationError("--seeds: must be at least 1, got \(seeds)") }
        guard maxFailures >= 1 else { throw ValidationError("--max-failures: must be at least 1, got \(maxFailures)") }
    }

    func run() async throws {
        guard let (path, spec) = try ScenarioSelection.load([scenario]).first else {
            throw BadInput("\(scenario): no scenario found")
        }
        let strategy = SchedulingStrategy(name: self.strategy) ?? .random
        let budget = ScenarioSyntax.parseDuration(timeBudget) ?? .seconds(60)
        let environment = RunEnvironment.current()
        let correctness = spec.thresholds.recommended + spec.thresholds.all
        var failing = 0
        for policy in policy.policies {
            var settings = RunSettings(spec: spec, policy: policy, file: path)
            settings.plantedRace = plantedRace
            let label = "\(spec.name) [\(policy.rawValue)]\(plantedRace ? " (planted race)" : "")"
            if let replay {
                failing += try await Self.replay(settings, seed: replay, strategy: strategy, correctness: correctness,
                                                 environment: environment, label: label, lines: traceLines)
                continue
            }
            let last = to ?? (from &+ UInt64(seeds) &- 1)
            let clock = ContinuousClock()
            let started = clock.now
            var tried = 0
            var found: [Hunt.Outcome] = []
            for seed in from...last {
                if clock.now - started > budget { break }
                tried += 1
                let outcome: Hunt.Outcome
                do {
                    outcome = try await Hunt.run(settings, seed: seed, strategy: strategy, correctness: correctness,
                                                 environment: environment)
                } catch {
                    print("\(label) seed \(seed): the simulation failed: \(error)")
                    failing += 1
                    if failing >= maxFailures { break }
                    continue
                }
                guard !outcome.violations.isEmpty else { continue }
                found.append(outcome)
                try await Self.report(outcome, settings: settings, strategy: strategy, correctness: correctness,
                                      environment: environment, label: label, lines: traceLines)
                if found.count >= maxFailures { break }
            }
            failing += found.count
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("\(label): \(tried) seed(s) from \(from) in \(String(format: "%.1f", seconds)) s "
                  + "(\(String(format: "%.0f", Double(tried) / max(seconds, 1e-9))) seeds/s, strategy \(strategy)): "
                  + (found.isEmpty ? "nothing found" : "\(found.count) failing seed(s): \(found.map { String($0.seed) }.joined(separator: ", "))"))
        }
        if failing > 0 { throw FlagStormCommand.gateFailed }
    }

    /// Prints one failing seed: what broke, the trace around it, and whether a second run of the seed replays it exactly.
    static func report(_ outcome: Hunt.Outcome, settings: RunSettings, strategy: SchedulingStrategy, correctness: [String],
                       environment: EnvironmentInfo, label: String, lines: Int) async throws {
        // The second run keeps the whole trace for the excerpt; its digest covers every event either way.
        let again = try await Hunt.run(settings, seed: outcome.seed, strategy: strategy, correctness: correctness,
                                       environment: environment, traceCapacity: 1_000_000)
        printFindings(again, label: label, lines: lines)
        if let trace = outcome.trace {
            let same = again.trace?.digest == trace.digest && again.violations == outcome.violations
            print("  replay: \(same ? "identical" : "DIFFERENT") trace (digest \(SimulationTrace.hex(trace.digest)), \(trace.stepCount) steps); "
                  + "reproduce with: " + reproduceCommand(settings, strategy: strategy, seed: outcome.seed))
        }
    }

    /// The command that replays `seed` exactly: every option that changes what a seed runs (the scenario, the policy,
    /// the strategy, the planted race), shell-quoted, so it can be pasted verbatim.
    static func reproduceCommand(_ settings: RunSettings, strategy: SchedulingStrategy, seed: UInt64) -> String {
        var words = ["flagstorm", "hunt", settings.file ?? settings.name, "--policy", settings.policy.rawValue,
                     "--strategy", "\(strategy)", "--replay", "\(seed)"]
        if settings.plantedRace { words.append("--planted-race") }
        return words.map(RunEnvironment.shellQuoted).joined(separator: " ")
    }

    /// Runs `seed` twice, checks the traces are identical, and prints the trace; returns 1 if a property broke.
    static func replay(_ settings: RunSettings, seed: UInt64, strategy: SchedulingStrategy, correctness: [String],
                       environment: EnvironmentInfo, label: String, lines: Int) async throws -> Int {
        let first = try await Hunt.run(settings, seed: seed, strategy: strategy, correctness: correctness,
                                       environment: environment, traceCapacity: 1_000_000)
        let second = try await Hunt.run(settings, seed: seed, strategy: strategy, correctness: correctness,
                                        environment: environment, traceCapacity: 1_000_000)
        let digests = [first.trace?.digest, second.trace?.digest].compactMap { $0 }
        let identical = digests.count == 2 && digests[0] == digests[1] && first.violations == second.violations
        printFindings(first, label: label, lines: lines)
        print("  determinism: two runs gave \(identical ? "identical" : "DIFFERENT") traces (digests \(digests.map(SimulationTrace.hex).joined(separator: " and ")))")
        guard identical else { throw RunError("seed \(seed) did not replay identically: something escaped the simulation") }
        return first.violations.isEmpty ? 0 : 1
    }

    /// What broke in a seed's run, and the trace around the first note that shows it.
    static func printFindings(_ outcome: Hunt.Outcome, label: String, lines: Int) {
        print("\(label) seed \(outcome.seed): \(outcome.violations.isEmpty ? "no property broke" : "FAILED")")
        for violation in outcome.violations {
            print("  \(violation.property): \(ConsoleSummary.number(violation.count))\(violation.example.map { ", e.g. \($0)" } ?? "")")
        }
        guard let trace = outcome.trace else { return }
        print("  trace (virtual time, task, what happened):")
        for line in Hunt.excerpt(of: trace, before: max(lines - 4, 1), after: 3) { print("    \(line)") }
    }
}
