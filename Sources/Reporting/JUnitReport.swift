import StormReport

/// JUnit XML for runs: one test suite per scenario and policy, one test case
/// per threshold and per invariant, so any CI system lists failures natively.
///
/// Non-gating invariants (the `seed` policy's expected findings) are
/// reported as passing cases whose `system-out` states the violations.
public enum JUnitReport {
    /// Renders `summaries` as one `testsuites` document.
    public static func render(_ summaries: [RunSummary]) -> String {
        render(SuiteVerdict(summaries: summaries))
    }

    /// Renders a suite under its one verdict: the runs' suites, then (with a baseline) a `baseline comparison`
    /// suite with one test case per judged metric, failing with `type="regression"` where it regressed, and
    /// (when interrupted) an `interrupted` case that fails, so CI's test view shows what the exit code says.
    public static func render(_ verdict: SuiteVerdict) -> String {
        let summaries = verdict.summaries
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        let judged = verdict.comparison?.rows.filter { $0.verdict != .informational } ?? []
        let total = summaries.reduce(0) { $0 + $1.thresholds.count + $1.invariants.count } + judged.count + (verdict.interrupted ? 1 : 0)
        let failures = summaries.reduce(0) { $0 + failedCount($1) } + verdict.regressions.count + (verdict.interrupted ? 1 : 0)
        lines.append(#"<testsuites name="flagstorm: \#(escape(verdict.headline))" tests="\#(total)" failures="\#(failures)">"#)
        if verdict.interrupted {
            lines.append(#"  <testsuite name="flagstorm run" tests="1" failures="1">"#)
            lines.append(#"    <testcase classname="flagstorm" name="run completed">"#)
            lines.append(#"      <failure type="interrupted" message="\#(escape(verdict.headline))">\#(escape(verdict.headline))</failure>"#)
            lines += ["    </testcase>", "  </testsuite>"]
        }
        if let comparison = verdict.comparison {
            let regressed = verdict.regressions.count
            lines.append(#"  <testsuite name="baseline comparison\#(verdict.baseline.map { " against " + escape($0) } ?? "")" tests="\#(judged.count)" failures="\#(regressed)">"#)
            for row in judged {
                lines.append(#"    <testcase classname="\#(escape("\(row.scenario) [\(row.policy)]")).baseline" name="\#(escape(row.metric))">"#)
                if row.verdict == .regression {
                    let message = "baseline \(BaselineComparison.formatted(row.baseline, metric: row.metric)), current \(BaselineComparison.formatted(row.current, metric: row.metric)), allowed \(row.allowed)"
                    lines.append(#"      <failure type="regression" message="\#(escape(message))">\#(escape(row.metric)): \#(escape(message))</failure>"#)
                } else if row.verdict != .same {
                    lines.append("      <system-out>\(escape("\(row.verdict.rawValue): \(row.change); allowed \(row.allowed)"))</system-out>")
                }
                lines.append("    </testcase>")
            }
            if let reason = comparison.latencyNotJudged {
                lines.append("    <system-out>\(escape(reason))</system-out>")
            }
            lines.append("  </testsuite>")
        }
        for summary in summaries {
            let name = "\(summary.scenario.name) [\(summary.scenario.policy)]"
            let seconds = Double(summary.durationNanoseconds) / 1e9
            lines.append(#"  <testsuite name="\#(escape(name))" tests="\#(summary.thresholds.count + summary.invariants.count)" failures="\#(failedCount(summary))" time="\#(seconds)">"#)
            for threshold in summary.thresholds {
                lines.append(#"    <testcase classname="\#(escape(name)).thresholds" name="\#(escape(threshold.expression))">"#)
                if !threshold.ok {
                    let message = threshold.message ?? "failed"
                    lines.append(#"      <failure type="threshold" message="\#(escape(message))">\#(escape(threshold.expression)): \#(escape(message))</failure>"#)
                }
                lines.append("    </testcase>")
            }
            for invariant in summary.invariants {
                lines.append(#"    <testcase classname="\#(escape(name)).invariants" name="\#(escape(invariant.name))">"#)
                if invariant.violations > 0 {
                    let text = "\(invariant.violations) violation(s)" + (invariant.example.map { ", e.g. \($0)" } ?? "")
                    if invariant.gating {
                        lines.append(#"      <failure type="invariant" message="\#(escape(text))">\#(escape(text))</failure>"#)
                    } else {
                        lines.append("      <system-out>\(escape("expected under this policy: " + text))</system-out>")
                    }
                }
                lines.append("    </testcase>")
            }
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        lines.append("")
        return lines.joined(separator: "\n")
    }

    static func failedCount(_ summary: RunSummary) -> Int {
        summary.thresholds.filter { !$0.ok }.count + summary.invariants.filter { $0.gating && $0.violations > 0 }.count
    }

    /// Escapes text for XML attributes and content.
    static func escape(_ text: String) -> String { MarkupText.escape(text) }
}
