import ArgumentParser
import Foundation
import Reporting
import StormReport

/// `flagstorm compare BASELINE CURRENT`: the regression gate between two sets of reports.
///
/// Exit codes: 0 no regression; 2 a regression; 64 bad input (an unreadable
/// report, a missing baseline, a bad `--tolerance`, or too few repeats on a side
/// to judge latencies without `--counts-only`).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare current reports with a baseline (files or folders); exit 2 on a regression.")

    /// Exit code for a regression against the baseline.
    static let regression = ExitCode(2)

    @Argument(help: "The baseline: a JSON report or a folder of them (e.g. Reports/baselines).")
    var baseline: String

    @Argument(help: "The current reports: JSON files or folders (repeat runs are compared by their median).")
    var current: [String]

    @Option(help: "Relative tolerance for every latency and lock wait, above the largest baseline repeat (default: 0.5 for medians, 2.0 for p99s, 9.0 for lock waits).")
    var tolerance: Double?

    @Option(name: .customLong("metric-tolerance"), help: "A tolerance for one metric, e.g. latency.isEnabled.p99_ns=1.0 (repeatable).")
    var metricTolerances: [String] = []

    @Option(help: "text or md.")
    var format: String = "text"

    @Flag(help: "Compare counts only, even when a side has too few repeats to judge latencies (without it, that is an error).")
    var countsOnly = false

    func validate() throws {
        if let tolerance, let problem = BaselineComparison.toleranceValueProblem(tolerance) {
            throw ValidationError("--tolerance: \(problem)")
        }
        _ = try Self.parseTolerances(metricTolerances)
        _ = try ReportFormat.parse(format, allowed: [.text, .md])
    }

    func run() throws {
        var result = try Self.compare(baseline: [baseline], current: try ReportFiles.load(current), tolerance: tolerance,
                                      tolerances: Self.parseTolerances(metricTolerances), countsOnly: countsOnly)
        if let reason = result.latencyNotJudged, !countsOnly {
            throw BadInput("\(reason), or pass --counts-only to compare counts alone")
        }
        if countsOnly { result.latencyNotJudged = result.latencyNotJudged ?? "latencies and lock waits not judged: --counts-only" }
        let format = try ReportFormat.parse(format, allowed: [.text, .md])[0]
        print(format == .md ? BaselineComparison.renderMarkdown(result) : BaselineComparison.renderText(result))
        if result.hasRegression { throw Self.regression }
    }

    /// Loads both sides and compares them; a baseline with nothing in common with the current runs is bad input.
    ///
    /// With too few repeats on a side (``BaselineComparison/minimumRepeatsForLatency``) latencies and lock waits are
    /// not judged and the result says why (`run --baseline` states it in every artifact; `compare` refuses unless
    /// `--counts-only`); `countsOnly` skips them regardless.
    static func compare(baseline: [String], current after: [RunSummary], tolerance: Double?,
                        tolerances: [String: Double], countsOnly: Bool = false) throws -> BaselineComparison.Result {
        let before = try ReportFiles.load(baseline)
        let result = BaselineComparison.compare(baseline: before, current: after, defaultTolerance: tolerance,
                                                tolerances: tolerances, countsOnly: countsOnly)
        if result.rows.isEmpty {
            throw BadInput("the baseline (\(baseline.joined(separator: ", "))) has none of the current scenarios; record one with flagstorm run --update-baseline")
        }
        return result
    }

    /// Reads `METRIC=FRACTION` options, reporting every bad one at once: a malformed option, a metric compare does
    /// not judge with a tolerance (``BaselineComparison/toleranceMetrics``), a value that is not finite and >= 0.
    static func parseTolerances(_ specs: [String]) throws -> [String: Double] {
        var tolerances: [String: Double] = [:]
        var problems: [String] = []
        for spec in specs {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let value = Double(parts[1]) else {
                problems.append("--metric-tolerance: expected METRIC=FRACTION such as latency.isEnabled.p99_ns=1.0, got '\(spec)'")
                continue
            }
            if let problem = BaselineComparison.toleranceProblem(forMetric: parts[0]) {
                problems.append("--metric-tolerance \(spec): \(problem)")
            }
            if let problem = BaselineComparison.toleranceValueProblem(value) {
                problems.append("--metric-tolerance \(spec): \(problem)")
            }
            tolerances[parts[0]] = value
        }
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
        return tolerances
    }
}
