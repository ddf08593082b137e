import StormReport

/// A Markdown summary of a capacity plan, for a CI step summary, a pull request or a design doc.
///
/// Why this shape: it answers "where does the fleet break, and under which policy" for someone
/// reading it at 2 a.m. — the plan's parameters, every point's load against the limits with units
/// and few digits, a cross-check that shouts when the model and the simulation disagree, and the
/// breaking points with how far apart the policies are. It only formats figures of the
/// ``StormReport/PlanReport``; its size grows with the sweep's points only.
public enum PlanMarkdownReport {
    /// Renders `report` as one Markdown document.
    public static func render(_ report: PlanReport) -> String {
        var lines = ["# FlagStorm plan: \(report.plan.name)", ""]
        let description = report.plan.description.split(separator: "\n").joined(separator: " ")
        if !description.isEmpty { lines += [description, ""] }
        let disagreeing = PlanText.disagreeing(report)
        if !disagreeing.isEmpty {
            lines.append("**The closed form \(PlanText.disagreement) at \(disagreeing.count) of \(report.points.count) points:** "
                         + escape(disagreeing.map(PlanText.title).joined(separator: "; ")) + ". Their figures are not to be trusted until it is explained.")
            lines.append("")
        }
        lines += ["## Parameters", "", "| parameter | value |", "|---|---|"]
        lines += PlanText.parameterRows(report).map { "| \($0.0) | \(escape($0.1)) |" }
        lines += ["", "## Points", ""]
        lines += pointsTable(report)
        let models = PlanText.models(report)
        if !models.isEmpty {
            lines += ["", "Closed forms checked against:"] + models.map { "- \(escape($0))" }
        }
        lines += ["", "## Breaking points", ""]
        lines += breakingPoints(report)
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// One row per point: the load against each limit, the answers, the cross-check and whether it breaks.
    static func pointsTable(_ report: PlanReport) -> [String] {
        guard !report.points.isEmpty else { return ["No points in this report."] }
        let keys = report.parameterKeys
        let margin = report.plan.headroomMargin
        var lines = [
            "| policy | " + keys.map { "\($0) | " }.joined()
                + "requests | 429 | other failures | per host, req/s (busiest host) | per-host limit | global, req/s | global limit | answers | analytic check | breaks |",
            "|---|" + String(repeating: "---|", count: keys.count) + "---:|---:|---:|---|---|---|---|---|---|---|",
        ]
        for point in report.points {
            let cells = [point.policy] + keys.map { point.parameter($0)?.value ?? "–" } + [
                PlanText.requests(point.requests), PlanText.count(point.requests.rateLimited), PlanText.count(point.requests.failed),
                PlanText.load(point.perHost), emphasised(PlanText.limitAndHeadroom(point.perHost, margin: margin), PlanText.isTight(point.perHost, margin: margin)),
                PlanText.load(point.global), emphasised(PlanText.limitAndHeadroom(point.global, margin: margin), PlanText.isTight(point.global, margin: margin)),
                PlanText.answers(point.answers), analytic(point),
                point.breaks ? "**yes**: " + (point.breakReason ?? "reason not recorded") : "no",
            ]
            lines.append("| " + cells.map(escape).joined(separator: " | ") + " |")
        }
        return lines
    }

    /// The cross-check's cell: the disagreement in bold capitals, agreement with a tick, or why there is no closed form.
    static func analytic(_ point: PlanPoint) -> String {
        switch point.analytic?.agrees {
        case true?: "✓ " + PlanText.analyticDetail(point)
        case false?: "**\(PlanText.disagreement)**: " + PlanText.analyticDetail(point)
        case nil: "n/a: " + PlanText.analyticDetail(point)
        }
    }

    /// Per policy (and fixed value), where the sweep breaks; then how far apart the policies break.
    static func breakingPoints(_ report: PlanReport) -> [String] {
        guard !report.breakingPoints.isEmpty else {
            return [report.sweep.isEmpty ? "No sweep, so no breaking points (`--sweep` finds them)." : "No breaking points in this report."]
        }
        let fixedKey = report.breakingPoints.lazy.compactMap(\.fixed?.key).first
        var lines = [
            "| policy | " + (fixedKey.map { "\($0) | " } ?? "") + "last fine → first breaking | what broke |",
            "|---|" + (fixedKey == nil ? "" : "---|") + "---|---|",
        ]
        for row in report.breakingPoints {
            let cells = [row.policy] + (fixedKey == nil ? [] : [row.fixed?.value ?? "–"])
                + [PlanText.breakingPoint(row, in: report), row.reason ?? (row.firstBreaking == nil ? "" : "reason not recorded")]
            lines.append("| " + cells.map(escape).joined(separator: " | ") + " |")
        }
        let comparisons = PlanText.comparisons(report)
        if !comparisons.isEmpty {
            lines.append("")
            lines += comparisons.map { "- " + escape($0) }
        }
        return lines
    }

    /// `text` in bold when `flagged`.
    static func emphasised(_ text: String, _ flagged: Bool) -> String {
        flagged ? "**\(text)**" : text
    }

    /// Keeps table cells intact (no pipes or newlines), as the run report does.
    static func escape(_ text: String) -> String { MarkdownReport.escape(text) }
}
