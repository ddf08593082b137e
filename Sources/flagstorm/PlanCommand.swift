import ArgumentParser
import FeatureFlags
import Foundation
import Reporting
import StormEngine
import StormReport

/// `flagstorm plan`: simulates a fleet (a plan file from `Scenarios/plans/`) in virtual time and
/// reports the flag endpoint's load against its rate limits, with a closed-form cross-check where
/// one exists; `--sweep` varies one or two parameters and finds each policy's breaking point.
///
/// Exit codes: 0 the plan fits (without `--sweep`: no 429 and headroom at or above the margin on
/// every limit; with `--sweep`: the sweep ran, breaking points are findings); 1 without `--sweep`
/// the plan breaks, or with or without it a closed form disagreed with the simulation (a model or
/// engine bug); 64 bad input (a broken plan file, a bad `--sweep`); 70 an unwritable `--out`.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Simulate a fleet against the flag endpoint's rate limits: load, 429s, headroom, breaking points.")

    @Argument(help: "The plan file (see Scenarios/plans/).")
    var plan: String

    @Option(help: ArgumentHelp("Vary a parameter: KEY=A..B:STEPS, KEY=A..B:STEPS:log or KEY=V1,V2,…; keys: hosts, processes, rate, ttl, lifetime, policy. At most two.", valueName: "key=values"))
    var sweep: [String] = []

    @Option(help: "After the sweep, bisect each policy's bracket (last value that held, first that broke) along the first swept parameter up to N times, one more simulated point each.")
    var refine: Int = 0

    @Option(help: "Which policy to run: seed, recommended or both (default: the plan's own).")
    var policy: PolicyChoice?

    @Option(help: "Override the plan's seed.")
    var seed: UInt64?

    @Option(help: "Folder for reports; each run writes into a new <timestamp> folder inside it, and `latest` points at it.")
    var out: String = "Reports/plans"

    @Option(help: "Report formats to write, comma-separated: json (<plan>.json), md (<plan>.md), html (<plan>.html).")
    var format: String = "json,md,html"

    @Option(help: "Simulations to run at once (default: one per core).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress lines.")
    var quiet = false

    func validate() throws {
        _ = try ReportFormat.parse(format, allowed: [.json, .md, .html])
        guard sweep.count <= PlanRunner.maximumSweeps else {
            throw ValidationError("--sweep: at most \(PlanRunner.maximumSweeps) parameters at once, got \(sweep.count)")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs: must be at least 1, got \(jobs)") }
        guard (0...20).contains(refine) else { throw ValidationError("--refine: must be within 0...20, got \(refine)") }
        if refine > 0, sweep.isEmpty { throw ValidationError("--refine needs a --sweep to refine") }
    }

    func run() async throws {
        let formats = try ReportFormat.parse(format, allowed: [.json, .md, .html])
        var sweeps: [PlanSweep] = []
        for argument in sweep {
            do throws(PlanSweepError) {
                sweeps.append(try PlanSweep.parse(argument))
            } catch {
                throw BadInput(error.description)
            }
        }
        if sweeps.count == 2, sweeps[0].key == sweeps[1].key {
            throw BadInput("--sweep: \(sweeps[0].key.rawValue) is swept twice; sweep two different parameters")
        }
        if policy != nil, sweeps.contains(where: { $0.key == .policy }) {
            throw BadInput("--policy with --sweep policy=…: give one or the other")
        }
        var spec: PlanSpec
        do {
            spec = try PlanSpec.load(contentsOf: plan)
        } catch {
            throw BadInput(error.description)
        }
        if let seed { spec.seed = seed; spec.server.seed = seed; spec.cache.jitterSeed = seed }
        if let policy { spec.policies = policy.policies }

        let reportFolder = try ReportFolder.create(in: out)
        let folder = reportFolder.url
        let report: PlanReport
        do {
            report = try await run(spec, sweeps: sweeps)
        } catch let error as PlanSweepError {
            throw BadInput(error.description)
        }
        print(PlanConsoleSummary.render(report))
        if formats.contains(.json) {
            try ReportFolder.write(PlanJSONReport.encode(report), to: folder.appendingPathComponent("\(spec.name).json"))
        }
        if formats.contains(.md) {
            try ReportFolder.write(Data(PlanMarkdownReport.render(report).utf8), to: folder.appendingPathComponent("\(spec.name).md"))
        }
        if formats.contains(.html) {
            try ReportFolder.write(Data(PlanHTMLReport.render(report).utf8), to: folder.appendingPathComponent("\(spec.name).html"))
        }
        reportFolder.pointLatest()
        if report.hasDisagreement {
            print("DISAGREEMENT: a closed form and the simulation differ beyond tolerance (a model or engine bug); reports in \(folder.path)")
            throw FlagStormCommand.gateFailed
        }
        if sweeps.isEmpty, let broken = report.points.first(where: \.breaks) {
            print("BREAKS under \(broken.policy): \(broken.breakReason ?? ""); reports in \(folder.path)")
            throw FlagStormCommand.gateFailed
        }
        print("\(sweeps.isEmpty ? "FITS" : "SWEPT"): \(report.points.count) point(s) in \(String(format: "%.1f", report.wallSeconds)) s; reports in \(folder.path)")
    }

    /// Runs the plan and its sweep, a progress line per finished point on standard error unless `--quiet`.
    func run(_ spec: PlanSpec, sweeps: [PlanSweep]) async throws -> PlanReport {
        let quiet = quiet
        return try await PlanRunner.run(spec, file: plan, sweeps: sweeps, environment: RunEnvironment.current(),
                                        parallelism: jobs, refine: refine) { point, finished, total in
            guard !quiet else { return }
            let parameters = point.parameters.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let line = "[\(finished)/\(total)] \(point.policy)\(parameters.isEmpty ? "" : " " + parameters): \(point.requests.total) requests, \(point.requests.rateLimited) × 429, \(String(format: "%.1f", point.wallSeconds)) s\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}
