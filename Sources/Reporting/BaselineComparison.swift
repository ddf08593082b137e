import Foundation
import StormReport

/// Compares current runs with baseline runs, metric by metric, for the CI gate.
///
/// Two kinds of metric, compared differently:
/// - **Counts that must not grow** (wrong answers, redundant fetches, leaks,
///   lifecycle faults, gating invariant violations) are compared exactly, for
///   the `recommended` policy. Under `seed` they measure how strongly a known
///   weakness shows, which depends on timing, so they are listed but never
///   called regressions.
/// - **Latencies and lock waits** are compared with a relative tolerance
///   (default 50 % for latencies, at least 100 % for lock waits, settable per
///   metric), because this machine is shared and noisy; a lock's wait is
///   compared only when both sides saw at least 100 contended acquisitions.
///   When several reports of one scenario and policy are given (repeat runs),
///   their median is compared; a change within the tolerance is reported as
///   noise, not as a regression.
/// - `seed` runs are listed but never gate: they reproduce a design's
///   weaknesses, whose size depends on timing.
public enum BaselineComparison {
    /// How one metric changed.
    public enum Verdict: String, Sendable, Hashable {
        case same, improved, withinNoise = "within noise", regression, informational
    }

    /// One metric of one scenario and policy.
    public struct Row: Sendable, Hashable {
        public var scenario: String
        public var policy: String
        public var metric: String
        public var baseline: Double
        public var current: Double
        /// What the comparison allowed (`exact`, `±50 %`, `not gated under seed`).
        public var allowed: String
        public var verdict: Verdict

        /// The change as a signed relative figure (`+12.5 %`), or the absolute difference for counts.
        public var change: String {
            if allowed == "exact" || baseline == 0 {
                let difference = current - baseline
                return difference == 0 ? "0" : (difference > 0 ? "+" : "") + ConsoleSummary.number(difference)
            }
            let relative = (current - baseline) / baseline * 100
            return (relative >= 0 ? "+" : "") + String(format: "%.1f %%", relative)
        }
    }

    /// The comparison of all scenarios both sides have, and those only one side has.
    public struct Result: Sendable, Hashable {
        public var rows: [Row]
        /// Scenario and policy pairs in the current runs with no baseline.
        public var missingBaselines: [String]
        /// Whether any row is a regression.
        public var hasRegression: Bool { rows.contains { $0.verdict == .regression } }
    }

    /// Counts compared exactly under `recommended` (report field paths).
    public static let exactCounts = [
        "answers.wrong", "answers.errors", "fetches.redundant", "fetches.beforeRetryAfter",
        "lifecycle.peakClientsPerHost", "lifecycle.clientsClosedWhileInUse", "lifecycle.eventsAfterClose",
        "lifecycle.acquiresBlockedByOtherHost", "leaks.leasesOutstanding", "leaks.clientsAfterDrain",
        "leaks.tasksOutstanding", "leaks.fdGrowth",
    ]

    /// Contended acquisitions each side needs before its lock-wait p99 is compared (fewer is noise).
    public static let minimumContendedForWaits: UInt64 = 100

    /// Latency percentiles compared with a relative tolerance.
    public static let latencyMetrics = [
        "latency.isEnabled.p50_ns", "latency.isEnabled.p99_ns", "latency.open.p99_ns", "latency.fetch.p99_ns",
    ]

    /// Compares `current` with `baseline`; `tolerances` override the relative tolerance per metric path.
    public static func compare(baseline: [RunSummary], current: [RunSummary], defaultTolerance: Double = 0.5,
                               tolerances: [String: Double] = [:]) -> Result {
        let baselineGroups = Dictionary(grouping: baseline) { key($0) }
        let currentGroups = Dictionary(grouping: current) { key($0) }
        var rows: [Row] = []
        var missing: [String] = []
        for key in currentGroups.keys.sorted(by: { ($0.scenario, $0.policy) < ($1.scenario, $1.policy) }) {
            guard let before = baselineGroups[key] else {
                missing.append("\(key.scenario) [\(key.policy)]")
                continue
            }
            let after = currentGroups[key]!
            let gated = key.policy == "recommended"
            let invariantNames = Set(after.flatMap { $0.invariants.filter(\.gating).map(\.name) })
            for path in exactCounts + invariantNames.sorted().map({ "invariants.\($0)" }) {
                guard let old = median(before, path), let new = median(after, path) else { continue }
                let verdict: Verdict = !gated ? .informational : new > old ? .regression : new < old ? .improved : .same
                rows.append(Row(scenario: key.scenario, policy: key.policy, metric: path, baseline: old, current: new,
                                allowed: gated ? "exact" : "not gated under \(key.policy)", verdict: verdict))
            }
            // Lock waits only where both sides saw enough contended acquisitions for a p99 to mean anything.
            let locks = Set(after.flatMap { $0.contention.keys }).filter { lock in
                (before + after).allSatisfy { ($0.contention[lock]?.contended ?? 0) >= minimumContendedForWaits }
            }
            for path in latencyMetrics + locks.sorted().map({ "contention.\($0).wait_p99_ns" }) {
                guard let old = median(before, path), let new = median(after, path) else { continue }
                let tolerance = tolerances[path] ?? (path.hasPrefix("contention.") ? max(defaultTolerance, 1.0) : defaultTolerance)
                let verdict: Verdict
                if !gated {
                    verdict = .informational
                } else if new == old {
                    verdict = .same
                } else if old > 0, abs(new - old) / old <= tolerance {
                    verdict = .withinNoise
                } else if new < old {
                    verdict = .improved
                } else {
                    verdict = old == 0 && new <= 1_000 ? .withinNoise : .regression
                }
                rows.append(Row(scenario: key.scenario, policy: key.policy, metric: path, baseline: old, current: new,
                                allowed: gated ? "±\(ConsoleSummary.number(tolerance * 100)) %" : "not gated under \(key.policy)",
                                verdict: verdict))
            }
        }
        return Result(rows: rows, missingBaselines: missing)
    }

    struct Key: Hashable { var scenario: String; var policy: String }

    static func key(_ summary: RunSummary) -> Key { Key(scenario: summary.scenario.name, policy: summary.scenario.policy) }

    /// The median of `path` over `summaries` (repeat runs), or `nil` where no report has the field.
    /// (`contention.LOCK.wait_p99_ns` is read directly: lock names contain dots.)
    static func median(_ summaries: [RunSummary], _ path: String) -> Double? {
        let values: [Double]
        if path.hasPrefix("contention."), path.hasSuffix(".wait_p99_ns") {
            let lock = String(path.dropFirst("contention.".count).dropLast(".wait_p99_ns".count))
            values = summaries.compactMap { $0.contention[lock].map { Double($0.waitP99Nanoseconds) } }.sorted()
        } else {
            let components = path.split(separator: ".").map(String.init)
            values = summaries.compactMap { ThresholdExpression.lookup(components, in: ThresholdExpression.document(of: $0)) }.sorted()
        }
        guard !values.isEmpty else { return nil }
        return values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
    }

    /// The comparison as text: regressions first, then everything that changed.
    public static func renderText(_ result: Result) -> String {
        var lines: [String] = []
        let regressions = result.rows.filter { $0.verdict == .regression }
        lines.append(regressions.isEmpty ? "No regression." : "REGRESSION in \(regressions.count) metric(s):")
        let changed = result.rows.filter { row in
            row.verdict != .regression && row.verdict != .same && !(row.verdict == .informational && row.baseline == row.current)
        }
        for row in regressions + changed {
            lines.append("  \(row.verdict.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(row.scenario) [\(row.policy)] \(row.metric): \(ConsoleSummary.number(row.baseline)) -> \(ConsoleSummary.number(row.current)) (\(row.change); allowed \(row.allowed))")
        }
        for missing in result.missingBaselines { lines.append("  no baseline  \(missing)") }
        return lines.joined(separator: "\n")
    }

    /// The comparison as a Markdown table.
    public static func renderMarkdown(_ result: Result) -> String {
        var lines = ["# FlagStorm: \(result.hasRegression ? "regression" : "no regression") against the baseline", "",
                     "| scenario | policy | metric | baseline | current | change | allowed | verdict |",
                     "|---|---|---|---:|---:|---:|---|---|"]
        for row in result.rows where row.verdict != .same && !(row.verdict == .informational && row.baseline == row.current) {
            lines.append("| \(row.scenario) | \(row.policy) | `\(row.metric)` | \(ConsoleSummary.number(row.baseline)) | \(ConsoleSummary.number(row.current)) | \(row.change) | \(row.allowed) | \(row.verdict == .regression ? "**regression**" : row.verdict.rawValue) |")
        }
        if !result.missingBaselines.isEmpty {
            lines += ["", "No baseline for: " + result.missingBaselines.joined(separator: ", ")]
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
