import StormReport

/// The plain-text summary `flagstorm plan` prints: a few lines per point, then the breaking points.
///
/// Why this shape: in a terminal the reader wants, per point, whether it breaks and why, the
/// requests and 429s, the busiest host's and the whole endpoint's peak against their limits, and
/// whether the closed form agrees; then where each policy breaks. No colour, so it survives
/// logs and pipes; every figure carries its unit. The JSON has the rest.
public enum PlanConsoleSummary {
    /// Renders `report` as lines of plain text (no trailing newline).
    public static func render(_ report: PlanReport) -> String {
        let plan = report.plan, margin = plan.headroomMargin
        var lines = [
            "plan \(plan.name)  seed \(plan.seed)  \(PlanText.duration(nanoseconds: plan.durationNanoseconds)) of arrivals  "
                + (plan.warmupNanoseconds > 0 ? "(first \(PlanText.duration(nanoseconds: plan.warmupNanoseconds)) warm-up)  " : "")
                + "\(PlanText.count(plan.hosts)) hosts (\(plan.skew)) × \(PlanText.count(plan.processes)) processes  "
                + "per-host limit \(plan.perHostLimit ?? "none")  global limit \(plan.globalLimit ?? "none")",
        ]
        if !report.sweep.isEmpty {
            lines.append("  sweep  " + report.sweep.map { "\($0.key) \($0.values.joined(separator: ", "))" }.joined(separator: "; "))
        }
        let disagreeing = PlanText.disagreeing(report)
        if !disagreeing.isEmpty {
            lines.append("✗ the closed form \(PlanText.disagreement) at \(disagreeing.count) of \(report.points.count) points: "
                         + disagreeing.map(PlanText.title).joined(separator: "; "))
        }
        for point in report.points {
            lines.append("")
            lines.append("\(PlanText.title(point))  " + (point.breaks ? "BREAKS: " + (point.breakReason ?? "reason not recorded") : "holds"))
            let r = point.requests
            lines.append("  requests  \(PlanText.count(r.total))  429 \(PlanText.count(r.rateLimited))  other failures \(PlanText.count(r.failed))  connections \(PlanText.count(point.connections))"
                + (r.telemetryExports > 0 ? "  (telemetry exports \(PlanText.count(r.telemetryExports)), \(PlanText.count(r.telemetryExportsRefused)) refused)" : ""))
            lines.append("  per host  " + peak(point.perHost, margin: margin))
            lines.append("  global    " + peak(point.global, margin: margin))
            let a = point.answers
            if a.wrong + a.stale + a.errors > 0 { lines.append("  answers   " + PlanText.answers(a)) }
            lines.append("  analytic  " + PlanText.analytic(point))
        }
        if !report.breakingPoints.isEmpty {
            lines.append("")
            lines.append("breaking points")
            let width = report.breakingPoints.map { $0.policy.count + (PlanText.fixed($0).map { $0.count + 2 } ?? 0) }.max() ?? 0
            for row in report.breakingPoints {
                let who = row.policy + (PlanText.fixed(row).map { ", \($0)" } ?? "")
                lines.append("  \(ConsoleSummary.pad(who, width))  \(PlanText.breakingPoint(row, in: report))" + (row.reason.map { ": \($0)" } ?? ""))
            }
            for sentence in PlanText.comparisons(report) { lines.append("  " + sentence) }
        }
        return lines.joined(separator: "\n")
    }

    /// The peak against the limit: `peak 1.2 req/s (ws-17) vs limit 1 req/s (burst 60): over the limit by 20 %`.
    static func peak(_ load: PlanLoad, margin: Double) -> String {
        let peak = "peak \(PlanText.rate(load.peakPerSecond))" + (load.busiestHost.map { " (\($0))" } ?? "")
        guard let limit = PlanText.limit(load) else { return peak + ", no limit" }
        return peak + " vs limit " + limit + (PlanText.headroom(load, margin: margin).map { ": " + $0 } ?? "")
    }
}
