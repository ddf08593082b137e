import Foundation
import StormReport

/// Compares current runs with baseline runs, metric by metric, for the CI gate.
///
/// Noise is handled with repeats on both sides: a baseline recorded with
/// `run --update-baseline --repeat N` holds N reports per scenario and policy,
/// which show how far each figure moves when nothing changed; the current side
/// is compared by its median over its repeats.
/// - **Counts that must not grow** (wrong answers, redundant fetches, leaks,
///   lifecycle faults, gating invariant violations) under `recommended`: when
///   every baseline repeat agrees, the count is compared **exactly** (any growth
///   is a regression). When the baseline repeats disagree (the count depends on
///   timing, as refresh-ahead's extra fetches do), the current median may reach
///   the baseline's largest value plus its spread, and the report says so.
/// - **Latencies and lock waits** under `recommended`: a regression when even
///   the *best* current repeat exceeds the *largest* baseline repeat by more than a relative
///   tolerance (see ``defaultTolerance(for:)``; settable per metric) plus 100 ns (below that, clock and bucket
///   resolution), when every report recorded at least 100 samples of the operation. A lock's wait is compared only when every report saw at least
///   100 contended acquisitions. A change inside the band is reported as
///   "within noise", never as a pass or fail on its own.
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
        /// The baseline's median over its repeats.
        public var baseline: Double
        /// The current figure: the median of its repeats for counts, the best repeat for latencies and lock waits.
        public var current: Double
        /// What the comparison allowed (`exact`, `≤ 138 (baseline repeats 82–110)`, `≤ 1.2 ms (+100 % of the largest baseline)`, `not gated under seed`).
        public var allowed: String
        public var verdict: Verdict
        /// Whether the metric is a count (its change is shown as a difference, not a percentage).
        public var isCount: Bool

        /// The change as a signed relative figure (`+12.5 %`), or the absolute difference for counts.
        public var change: String {
            if isCount || baseline == 0 {
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
        /// Why latencies and lock waits were not judged (too few repeats on a side), or `nil` when they were.
        public var latencyNotJudged: String?
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

    /// Repeats each side needs of a scenario and policy before its latencies and lock waits are judged.
    ///
    /// The rule judges the *best* current repeat against the *largest* baseline
    /// repeat: with one current repeat a descheduled thread in that one run is a
    /// "regression" (an unchanged tree showed five, isEnabled p50 51 → 321 ns).
    /// Three repeats, as the CI gate runs, make the best of them a fair figure.
    public static let minimumRepeatsForLatency = 3

    /// Samples every report needs of an operation before its latency percentiles are compared.
    public static let minimumSamplesForLatency = 100

    /// Contended acquisitions each side needs before its lock-wait p99 is compared (fewer is noise).
    public static let minimumContendedForWaits: UInt64 = 100

    /// Latency percentiles compared with a relative tolerance.
    public static let latencyMetrics = [
        "latency.isEnabled.p50_ns", "latency.isEnabled.p99_ns", "latency.open.p99_ns", "latency.fetch.p99_ns",
    ]

    /// The metrics a relative tolerance applies to (`--tolerance`, `--metric-tolerance`): ``latencyMetrics`` and each
    /// lock's wait p99 (`contention.LOCK.wait_p99_ns`, LOCK one of ``StormReport/MetricVocabulary/locks``).
    public static var toleranceMetrics: [String] {
        latencyMetrics + MetricVocabulary.locks.map { "contention.\($0).wait_p99_ns" }
    }

    /// Why `metric` cannot be given a tolerance, or `nil` when it can (it is one of ``toleranceMetrics``).
    ///
    /// Why checked: a tolerance for a metric the comparison never reads (a typo, a percentile it does not compare,
    /// a count it compares exactly) would be accepted and silently change nothing.
    public static func toleranceProblem(forMetric metric: String) -> String? {
        let known = toleranceMetrics
        guard !known.contains(metric) else { return nil }
        let list = "tolerances apply to \(known.joined(separator: ", "))"
        if exactCounts.contains(metric) || MetricVocabulary.invariants.map({ "invariants.\($0)" }).contains(metric) {
            return "\(metric) is compared exactly (a count that must not grow), never with a tolerance; \(list)"
        }
        if let suggestion = MetricVocabulary.suggestion(for: metric, among: known) {
            return "\(metric) is not a metric compare judges with a tolerance; did you mean \(suggestion)? (\(list))"
        }
        if MetricVocabulary.run.metric(named: metric) != nil {
            return "\(metric) is a report field, but compare does not compare it; \(list)"
        }
        return "\(metric) is not a metric compare judges with a tolerance; \(list)"
    }

    /// Why `value` cannot be a relative tolerance (it must be finite and >= 0), or `nil` when it can.
    public static func toleranceValueProblem(_ value: Double) -> String? {
        value.isFinite && value >= 0 ? nil
            : "must be a finite number >= 0 (a relative tolerance: 2.0 allows +200 % over the largest baseline), got \(value)"
    }

    /// Latency differences at or below this many nanoseconds are within the probes' resolution.
    public static let latencySlackNanoseconds = 100.0

    /// The relative tolerance a metric gets unless told otherwise: +50 % for medians, +200 % for 99th
    /// percentiles, +900 % for lock waits.
    ///
    /// Measured, not guessed: on this shared two-core machine, with a compile
    /// running beside an unchanged suite, `fetch` p99s moved up to 2.2× the
    /// largest of five baseline repeats and the registry lock's wait p99 up to
    /// 8× (a lock holder descheduled mid-section); medians of cached checks
    /// stayed within 20 %. So medians catch a slower hot path, tails and lock
    /// waits an order-of-magnitude change (a fetch or a client start held under
    /// a lock). On a quiet dedicated runner, tighten them per metric.
    public static func defaultTolerance(for metric: String) -> Double {
        if metric.hasPrefix("contention.") { return 9.0 }
        return metric.hasSuffix(".p50_ns") ? 0.5 : 2.0
    }

    /// Compares `current` with `baseline`. `defaultTolerance` (when given) replaces every metric's
    /// default relative tolerance; `tolerances` set it per metric path.
    ///
    /// Latencies and lock waits are judged only when every compared scenario and policy has at least
    /// ``minimumRepeatsForLatency`` repeats on each side (else ``Result/latencyNotJudged`` says why), and never with `countsOnly`.
    public static func compare(baseline: [RunSummary], current: [RunSummary], defaultTolerance: Double? = nil,
                               tolerances: [String: Double] = [:], countsOnly: Bool = false,
                               minimumRepeats: Int = minimumRepeatsForLatency) -> Result {
        let baselineGroups = Dictionary(grouping: baseline) { key($0) }
        let currentGroups = Dictionary(grouping: current) { key($0) }
        var rows: [Row] = []
        var missing: [String] = []
        // Latencies are judged for every group or for none, so one line can say why not.
        let shortGroups = currentGroups.keys.sorted(by: { ($0.scenario, $0.policy) < ($1.scenario, $1.policy) }).compactMap { key -> String? in
            guard let before = baselineGroups[key], let after = currentGroups[key], key.policy == "recommended" else { return nil }
            if after.count < minimumRepeats { return "\(key.scenario) [\(key.policy)] has \(after.count) current repeat\(after.count == 1 ? "" : "s")" }
            if before.count < minimumRepeats { return "\(key.scenario) [\(key.policy)] has \(before.count) baseline repeat\(before.count == 1 ? "" : "s")" }
            return nil
        }
        let latencyNotJudged = countsOnly ? "latencies and lock waits not judged: --counts-only" : shortGroups.isEmpty ? nil
            : "latencies and lock waits not judged: \(shortGroups.first!)\(shortGroups.count > 1 ? " (and \(shortGroups.count - 1) more)" : ""); "
                + "the rule (the best current repeat against the largest baseline repeat) needs \(minimumRepeats) on each side: run with --repeat \(minimumRepeats)"
        for key in currentGroups.keys.sorted(by: { ($0.scenario, $0.policy) < ($1.scenario, $1.policy) }) {
            guard let before = baselineGroups[key] else {
                missing.append("\(key.scenario) [\(key.policy)]")
                continue
            }
            let after = currentGroups[key]!
            let gated = key.policy == "recommended"
            func row(_ metric: String, _ old: Spread, _ new: Double, allowed: String, verdict: Verdict) -> Row {
                Row(scenario: key.scenario, policy: key.policy, metric: metric, baseline: old.median, current: new,
                    allowed: gated ? allowed : "not gated under \(key.policy)", verdict: gated ? verdict : .informational,
                    isCount: !metric.hasSuffix("_ns"))
            }
            let invariantNames = Set(after.flatMap { $0.invariants.filter(\.gating).map(\.name) })
            for path in exactCounts + invariantNames.sorted().map({ "invariants.\($0)" }) {
                guard let old = spread(before, path), let new = spread(after, path)?.median else { continue }
                if old.lowest == old.highest {
                    let verdict: Verdict = new > old.highest ? .regression : new < old.lowest ? .improved : .same
                    rows.append(row(path, old, new, allowed: "exact", verdict: verdict))
                } else {
                    let limit = old.highest + (old.highest - old.lowest)
                    let verdict: Verdict = new > limit ? .regression : new < old.lowest ? .improved : .withinNoise
                    rows.append(row(path, old, new, allowed: "≤ \(ConsoleSummary.number(limit)) (baseline repeats \(ConsoleSummary.number(old.lowest))–\(ConsoleSummary.number(old.highest)))", verdict: verdict))
                }
            }
            // Lock waits only where every report saw enough contended acquisitions for a p99 to mean anything.
            let locks = latencyNotJudged != nil ? [] : Set(after.flatMap { $0.contention.keys }).filter { lock in
                (before + after).allSatisfy { ($0.contention[lock]?.contended ?? 0) >= minimumContendedForWaits }
            }
            // Latencies only where every report recorded enough samples for the percentile to be one
            // (a "p99" of three fetches is the slowest of three).
            let sampled = latencyNotJudged != nil ? [] : latencyMetrics.filter { path in
                let operation = path.split(separator: ".")[1]
                return (before + after).allSatisfy { ($0.latency[String(operation)]?.count ?? 0) >= minimumSamplesForLatency }
            }
            for path in sampled + locks.sorted().map({ "contention.\($0).wait_p99_ns" }) {
                // The best current repeat: a slower hot path slows every repeat, a descheduled thread only some.
                guard let old = spread(before, path), let new = spread(after, path)?.lowest else { continue }
                let tolerance = tolerances[path] ?? defaultTolerance ?? Self.defaultTolerance(for: path)
                let limit = old.highest * (1 + tolerance) + latencySlackNanoseconds
                let verdict: Verdict
                if new == old.median {
                    verdict = .same
                } else if new > limit {
                    verdict = .regression
                } else if new * (1 + tolerance) + latencySlackNanoseconds < old.lowest {
                    verdict = .improved
                } else {
                    verdict = .withinNoise
                }
                let band = "+\(ConsoleSummary.number(tolerance * 100)) % of the largest baseline\(before.count > 1 ? " of \(before.count)" : "")"
                rows.append(row(path, old, new, allowed: "≤ \(ConsoleSummary.duration(Int64(limit))) (\(band))", verdict: verdict))
            }
        }
        return Result(rows: rows, missingBaselines: missing, latencyNotJudged: latencyNotJudged)
    }

    /// A compared figure in its metric's unit: durations as `1.2 ms`, counts grouped.
    public static func formatted(_ value: Double, metric: String) -> String {
        metric.hasSuffix("_ns") ? ConsoleSummary.duration(Int64(value.isFinite ? min(max(value, -9e18), 9e18) : 0)) : ConsoleSummary.number(value)
    }

    /// A metric over repeat runs: lowest, median and highest.
    struct Spread { var lowest: Double; var median: Double; var highest: Double }

    struct Key: Hashable { var scenario: String; var policy: String }

    static func key(_ summary: RunSummary) -> Key { Key(scenario: summary.scenario.name, policy: summary.scenario.policy) }

    /// The lowest, median and highest of `path` over `summaries` (repeat runs), or `nil` where no report has the field.
    /// (`contention.LOCK.wait_p99_ns` is read directly: lock names contain dots.)
    static func spread(_ summaries: [RunSummary], _ path: String) -> Spread? {
        let values: [Double]
        if path.hasPrefix("contention."), path.hasSuffix(".wait_p99_ns") {
            let lock = String(path.dropFirst("contention.".count).dropLast(".wait_p99_ns".count))
            values = summaries.compactMap { $0.contention[lock].map { Double($0.waitP99Nanoseconds) } }.sorted()
        } else {
            let components = path.split(separator: ".").map(String.init)
            values = summaries.compactMap { ThresholdExpression.lookup(components, in: ThresholdExpression.document(of: $0)) }.sorted()
        }
        guard let lowest = values.first, let highest = values.last else { return nil }
        let median = values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
        return Spread(lowest: lowest, median: median, highest: highest)
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
            lines.append("  \(row.verdict.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(row.scenario) [\(row.policy)] \(row.metric): \(formatted(row.baseline, metric: row.metric)) -> \(formatted(row.current, metric: row.metric)) (\(row.change); allowed \(row.allowed))")
        }
        for missing in result.missingBaselines { lines.append("  no baseline  \(missing)") }
        if let reason = result.latencyNotJudged { lines.append("  note: \(reason)") }
        return lines.joined(separator: "\n")
    }

    /// The comparison as a Markdown table.
    public static func renderMarkdown(_ result: Result) -> String {
        var lines = ["# FlagStorm: \(result.hasRegression ? "regression" : "no regression") against the baseline", "",
                     "| scenario | policy | metric | baseline | current | change | allowed | verdict |",
                     "|---|---|---|---:|---:|---:|---|---|"]
        for row in result.rows where row.verdict != .same && !(row.verdict == .informational && row.baseline == row.current) {
            lines.append("| \(row.scenario) | \(row.policy) | `\(row.metric)` | \(formatted(row.baseline, metric: row.metric)) | \(formatted(row.current, metric: row.metric)) | \(row.change) | \(row.allowed) | \(row.verdict == .regression ? "**regression**" : row.verdict.rawValue) |")
        }
        if !result.missingBaselines.isEmpty {
            lines += ["", "No baseline for: " + result.missingBaselines.joined(separator: ", ")]
        }
        if let reason = result.latencyNotJudged { lines += ["", "Note: \(reason)."] }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
