import StormReport

/// JUnit XML for runs: one test suite per scenario and policy, one test case
/// per threshold and per invariant, so any CI system lists failures natively.
///
/// Non-gating invariants (the `seed` policy's expected findings) are
/// reported as passing cases whose `system-out` states the violations.
public enum JUnitReport {
    /// Renders `summaries` as one `testsuites` document.
    public static func render(_ summaries: [RunSummary]) -> String {
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        let total = summaries.reduce(0) { $0 + $1.thresholds.count + $1.invariants.count }
        let failures = summaries.reduce(0) { $0 + failedCount($1) }
        lines.append(#"<testsuites name="flagstorm" tests="\#(total)" failures="\#(failures)">"#)
        for summary in summaries {
            let name = "\(summary.scenario.name) [\(summary.scenario.policy)]"
            let seconds = Double(summary.durationNanoseconds) / 1e9
            lines.append(#"  <testsuite name="\#(escape(name))" tests="\#(summary.thresholds.count + summary.invariants.count)" failures="\#(failedCount(summary))" time="\#(seconds)">"#)
            for threshold in summary.thresholds {
                lines.append(#"    <testcase classname="\#(escape(name)).thresholds" name="\#(escape(threshold.expression))">"#)
                if !threshold.ok {
                    let message = threshold.message ?? "failed"
                    lines.append(#"      <failure message="\#(escape(message))">\#(escape(threshold.expression)): \#(escape(message))</failure>"#)
                }
                lines.append("    </testcase>")
            }
            for invariant in summary.invariants {
                lines.append(#"    <testcase classname="\#(escape(name)).invariants" name="\#(escape(invariant.name))">"#)
                if invariant.violations > 0 {
                    let text = "\(invariant.violations) violation(s)" + (invariant.example.map { ", e.g. \($0)" } ?? "")
                    if invariant.gating {
                        lines.append(#"      <failure message="\#(escape(text))">\#(escape(text))</failure>"#)
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
