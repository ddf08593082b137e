import Foundation
import StormReport

/// A Markdown summary of one or more runs, for a CI step summary or a pull request comment.
///
/// Why bounded: CI step summaries are capped (GitHub's at 1 MiB), so the
/// per-host table shows the top hosts only (the report keeps at most 20) and
/// nothing grows with the number of hosts or connections.
public enum MarkdownReport {
    /// Renders `summaries` (one run per scenario and policy) as one document.
    public static func render(_ summaries: [RunSummary]) -> String {
        render(SuiteVerdict(summaries: summaries))
    }

    /// Renders a suite under its one verdict: the headline, then what regressed (metric, baseline, current, allowed), then every run.
    public static func render(_ verdict: SuiteVerdict) -> String {
        let summaries = verdict.summaries
        var lines: [String] = []
        // "pass" in lower case, as before verdicts had a baseline: CI jobs grep for it.
        lines.append("# FlagStorm: \(verdict.passed && verdict.comparison == nil ? "pass" : verdict.headline)")
        lines.append("")
        if verdict.interrupted {
            lines += ["Interrupted by a signal: the runs below finished; the report is partial.", ""]
        }
        if let comparison = verdict.comparison {
            let regressions = verdict.regressions
            if regressions.isEmpty {
                lines.append("Compared with \(verdict.baseline ?? "the baseline"): no regression.")
            } else {
                lines += ["## Regressions against \(verdict.baseline ?? "the baseline")", "",
                          "| scenario | policy | metric | baseline | current | change | allowed |", "|---|---|---|---:|---:|---:|---|"]
                for row in regressions {
                    lines.append("| \(row.scenario) | \(row.policy) | `\(row.metric)` | \(BaselineComparison.formatted(row.baseline, metric: row.metric)) "
                                 + "| \(BaselineComparison.formatted(row.current, metric: row.metric)) | \(row.change) | \(escape(row.allowed)) |")
                }
            }
            if let reason = comparison.latencyNotJudged { lines += ["", "Note: \(reason)."] }
            if !comparison.missingBaselines.isEmpty {
                lines += ["", "No baseline for: " + comparison.missingBaselines.joined(separator: ", ")]
            }
            lines.append("")
        }
        lines.append("| scenario | policy | verdict | fetches (min) | redundant | wrong | isEnabled p99 | failed checks |")
        lines.append("|---|---|---|---:|---:|---:|---:|---|")
        for summary in summaries {
            let failures = failedChecks(summary)
            lines.append("| \(summary.scenario.name) | \(summary.scenario.policy) | \(summary.verdict == .pass ? "pass" : "**fail**") "
                         + "| \(summary.fetches.total) (\(summary.fetches.minimum)) | \(summary.fetches.redundant) | \(summary.answers.wrong) "
                         + "| \(summary.latency["isEnabled"].map { ConsoleSummary.duration($0.p99Nanoseconds) } ?? "–") "
                         + "| \(failures.isEmpty ? "" : escape(failures.joined(separator: "; "))) |")
        }
        for summary in summaries {
            lines.append("")
            lines += section(summary)
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    static func section(_ summary: RunSummary) -> [String] {
        var lines = ["## \(summary.scenario.name) [\(summary.scenario.policy)]: \(summary.verdict.rawValue)", ""]
        if let description = summary.scenario.description {
            lines.append(description.split(separator: "\n").joined(separator: " "))
            lines.append("")
        }
        let c = summary.connections, f = summary.fetches, a = summary.answers, l = summary.lifecycle, k = summary.leaks
        lines += [
            "| figure | value |", "|---|---|",
            "| connections | \(c.opened) opened, peak \(c.peakConcurrent), \(c.hosts) hosts |",
        ]
        if let h = summary.harness {
            lines.append("| offered (achieved of intended) | checks \(HTMLReport.offered(h.achievedChecks, of: h.intendedChecks, h.checksFraction)), "
                         + "opens \(HTMLReport.offered(h.achievedOpens, of: h.intendedOpens, h.opensFraction))"
                         + (h.lateOpens > 0 ? ", \(NumberText.grouped(h.lateOpens)) late" : "") + " |")
        }
        lines += [
            "| fetches | \(f.total) (minimum \(f.minimum), redundant \(f.redundant), failed \(f.failed), 429 \(f.rateLimited), before Retry-After \(f.beforeRetryAfter)) |",
            "| answers | \(a.total) (wrong \(a.wrong), errors \(a.errors), stale \(a.stale), waited on refresh \(a.waitedOnRefresh)) |",
            "| clients | started \(l.clientsStarted), peak per host \(l.peakClientsPerHost), closed in use \(l.clientsClosedWhileInUse), events after close \(l.eventsAfterClose), double releases \(l.doubleReleases), blocked by another host \(l.acquiresBlockedByOtherHost) |",
            "| after drain | entries \(k.cacheEntriesAfterDrain), clients \(k.clientsAfterDrain), leases \(k.leasesOutstanding), tasks \(k.tasksOutstanding), fds \(k.fdGrowth), bytes \(k.allocatedBytesGrowth.map(String.init) ?? "n/a") |",
        ]
        for operation in ["open", "isEnabled", "close", "fetch"] {
            guard let entry = summary.latency[operation], entry.count > 0 else { continue }
            lines.append("| \(operation) latency | p50 \(ConsoleSummary.duration(entry.p50Nanoseconds)), p99 \(ConsoleSummary.duration(entry.p99Nanoseconds)), max \(ConsoleSummary.duration(entry.maxNanoseconds)) (n \(entry.count)) |")
        }
        for (name, lock) in summary.contention.sorted(by: { $0.key < $1.key }) {
            lines.append("| lock `\(name)` | \(lock.contended) of \(lock.acquisitions) contended, wait p99 \(ConsoleSummary.duration(lock.waitP99Nanoseconds)) |")
        }
        if !summary.thresholds.isEmpty {
            lines += ["", "| threshold | observed | |", "|---|---:|---|"]
            for threshold in summary.thresholds {
                lines.append("| `\(escape(threshold.expression))` | \(threshold.observedText ?? "–") | \(threshold.ok ? "✓" : "✗ " + escape(threshold.message ?? "")) |")
            }
        }
        let violated = summary.invariants.filter { $0.violations > 0 }
        if !violated.isEmpty {
            lines += ["", "| invariant | violations | gating | example |", "|---|---:|---|---|"]
            for invariant in violated {
                lines.append("| \(invariant.name) | \(invariant.violations) | \(invariant.gating ? "yes" : "no") | \(escape(invariant.example ?? "")) |")
            }
        }
        if !f.byHost.isEmpty {
            lines += ["", "Top hosts by fetches: " + f.byHost.prefix(5).map { "\($0.host) \($0.total) (min \($0.minimum))" }.joined(separator: ", ")]
        }
        return lines
    }

    /// The thresholds and gating invariants that failed, each with its observed value.
    public static func failedChecks(_ summary: RunSummary) -> [String] {
        summary.thresholds.filter { !$0.ok }.map { "\($0.expression) (observed \($0.observedText ?? "n/a"))" }
            + summary.invariants.filter { $0.gating && $0.violations > 0 }.map { "\($0.name): \($0.violations)" }
    }

    /// Keeps table cells intact: no pipes or newlines.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
