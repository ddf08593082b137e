import Foundation
import StormReport

/// The one verdict of a `run` (or `merge`): its runs' thresholds and gating invariants, the baseline comparison,
/// and whether the run was interrupted, computed once.
///
/// Why one value: the exit code and every artifact (console, `summary.md`,
/// `junit.xml`, `report.html`, `verdict.json`) must say the same thing. CI
/// shows the files, not the console, so a regression the exit code reports but
/// `summary.md` calls "pass" is a lie. Each renderer takes this value and
/// prints ``headline``; none judges on its own.
public struct SuiteVerdict: Sendable {
    /// The suite's outcome, in order of precedence (an interrupted run is reported as such whatever it found).
    public enum Outcome: String, Sendable, Codable {
        /// Every run passed its gate and nothing regressed.
        case pass
        /// A baseline comparison found a regression (and no run failed its gate).
        case regression
        /// Some run failed a threshold or a gating invariant.
        case fail
        /// SIGINT or SIGTERM stopped the run before every scenario ran.
        case interrupted
    }

    /// The runs, in the order they ran.
    public var summaries: [RunSummary]
    /// The comparison with the baseline, when one was asked for.
    public var comparison: BaselineComparison.Result?
    /// The baseline folder as given, for the headline.
    public var baseline: String?
    /// The runs that had not finished when the run was interrupted (`scenario [policy]`: the one in progress, then those not
    /// started); empty when not interrupted.
    public var unfinished: [String]
    /// Whether a signal stopped the run.
    public var interrupted: Bool

    /// Creates the verdict of `summaries`, compared with a baseline when `comparison` is given.
    public init(summaries: [RunSummary], comparison: BaselineComparison.Result? = nil, baseline: String? = nil,
                interrupted: Bool = false, unfinished: [String] = []) {
        self.summaries = summaries
        self.comparison = comparison
        self.baseline = baseline
        self.interrupted = interrupted
        self.unfinished = unfinished
    }

    /// The runs that failed a threshold or a gating invariant.
    public var failedRuns: [RunSummary] { summaries.filter { $0.verdict == .fail } }

    /// The metrics that regressed against the baseline.
    public var regressions: [BaselineComparison.Row] { comparison?.rows.filter { $0.verdict == .regression } ?? [] }

    /// The outcome: interrupted, else fail, else regression, else pass.
    public var outcome: Outcome {
        if interrupted { return .interrupted }
        if !failedRuns.isEmpty { return .fail }
        if !regressions.isEmpty { return .regression }
        return .pass
    }

    /// The process exit code for ``outcome``: 0 pass, 1 fail, 2 regression, 130 interrupted (documented in the README).
    public var exitCode: Int32 {
        switch outcome {
        case .pass: 0
        case .fail: 1
        case .regression: 2
        case .interrupted: 130
        }
    }

    /// Whether the suite passed (the artifacts' colour).
    public var passed: Bool { outcome == .pass }

    /// The one line every artifact leads with: `PASS`, `FAIL (2 of 24 runs)`, `REGRESSION (3 metrics against Reports/baselines)`,
    /// `FAIL (1 of 2 runs); REGRESSION (1 metric against …)`, `INTERRUPTED after 3 of 24 runs`.
    public var headline: String {
        var parts: [String] = []
        if interrupted {
            parts.append("INTERRUPTED after \(summaries.count) run\(summaries.count == 1 ? "" : "s")"
                         + (unfinished.isEmpty ? "" : " (not finished: \(unfinished.prefix(3).joined(separator: ", "))"
                            + (unfinished.count > 3 ? " and \(unfinished.count - 3) more)" : ")")))
        }
        if !failedRuns.isEmpty { parts.append("FAIL (\(failedRuns.count) of \(summaries.count) runs)") }
        if !regressions.isEmpty {
            let metrics = regressions.count == 1 ? "1 metric" : "\(regressions.count) metrics"
            parts.append("REGRESSION (\(metrics)" + (baseline.map { " against \($0)" } ?? "") + ")")
        }
        if parts.isEmpty {
            if summaries.isEmpty { return "NO RUNS" }
            return comparison == nil ? "PASS" : "PASS (no regression against \(baseline ?? "the baseline"))"
        }
        return parts.joined(separator: "; ")
    }

    /// A line for each metric that regressed: `w04-double-release [recommended] lifecycle.doubleReleases: baseline 0, current 50, allowed exact`.
    public var regressionLines: [String] {
        regressions.map { row in
            "\(row.scenario) [\(row.policy)] \(row.metric): baseline \(BaselineComparison.formatted(row.baseline, metric: row.metric)), "
                + "current \(BaselineComparison.formatted(row.current, metric: row.metric)), allowed \(row.allowed)"
        }
    }

    /// `verdict.json`: the outcome, exit code, headline, failed runs and regressed metrics, for tools that read one file.
    public func json() -> Data {
        struct Regression: Encodable {
            var scenario: String, policy: String, metric: String, baseline: Double, current: Double, allowed: String
        }
        struct FailedRun: Encodable { var scenario: String, policy: String, failed: [String] }
        struct Document: Encodable {
            var schema = "flagstorm.verdict/1"
            var outcome: Outcome, exitCode: Int32, headline: String, runs: Int
            var failedRuns: [FailedRun], regressions: [Regression], comparedWith: String?
            var latencyNotJudged: String?
            var interrupted: Bool, unfinished: [String]
        }
        let document = Document(
            outcome: outcome, exitCode: exitCode, headline: headline, runs: summaries.count,
            failedRuns: failedRuns.map { FailedRun(scenario: $0.scenario.name, policy: $0.scenario.policy,
                                                   failed: MarkdownReport.failedChecks($0)) },
            regressions: regressions.map { Regression(scenario: $0.scenario, policy: $0.policy, metric: $0.metric,
                                                      baseline: $0.baseline, current: $0.current, allowed: $0.allowed) },
            comparedWith: comparison == nil ? nil : baseline, latencyNotJudged: comparison?.latencyNotJudged,
            interrupted: interrupted, unfinished: unfinished)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(document)).map { $0 + Data("\n".utf8) } ?? Data()
    }
}
