import StormReport

/// One self-contained HTML page for a capacity plan: the parameters, every point in a table,
/// the breaking points, and with a sweep three charts over the swept parameter (per-host peak
/// against the per-host limit, global peak against the global limit, 429s), each policy's
/// breaking point ringed.
///
/// Why like the run report's page: the same stylesheet, escaping and hand-written SVG, so it
/// opens offline from a CI artifact, needs no script and is golden-testable byte for byte. It
/// only formats the ``StormReport/PlanReport``; its size grows with the sweep's points only.
public enum PlanHTMLReport {
    /// Renders `report` as one HTML5 document.
    public static func render(_ report: PlanReport) -> String {
        let disagreeing = PlanText.disagreeing(report)
        let title = "FlagStorm plan: \(report.plan.name)"
        var html = HTMLReport.documentHead(title: title) + [
            "<body>",
            "<main>",
            "<h1>\(escape(title))" + (disagreeing.isEmpty ? "" : #" <span class="badge fail">MODEL DISAGREES</span>"#) + "</h1>",
        ]
        let description = report.plan.description.split(separator: "\n").joined(separator: " ")
        if !description.isEmpty { html.append(#"<p class="description">\#(escape(description))</p>"#) }
        if !disagreeing.isEmpty {
            html.append(#"<ul class="failed">"#)
            for point in disagreeing {
                html.append("<li><b>\(escape(PlanText.title(point)))</b>: the closed form \(escape(PlanText.disagreement)); \(escape(PlanText.analyticDetail(point)))</li>")
            }
            html.append("</ul>")
        }
        html += [#"<section class="scenario" id="parameters">"#, "<h2>Parameters</h2>",
                 HTMLReport.table("The plan as run", PlanText.parameterRows(report).map { ($0.0, $0.1, false) }), "</section>"]
        html += [#"<section class="scenario" id="breaking-points">"#, "<h2>Breaking points</h2>"] + breakingPoints(report) + ["</section>"]
        if !report.sweep.isEmpty {
            html += [#"<section class="scenario" id="charts">"#, "<h2>Over the sweep</h2>"] + charts(report) + ["</section>"]
        }
        html += [#"<section class="scenario" id="points">"#, "<h2>Points</h2>"] + pointsTable(report)
        let models = PlanText.models(report)
        if !models.isEmpty {
            html.append(#"<p class="muted meta">Closed forms checked against:</p>"#)
            html.append("<ul>" + models.map { "<li>\(escape($0))</li>" }.joined() + "</ul>")
        }
        html.append("</section>")
        if report.sweep.isEmpty, !report.points.isEmpty {
            html += [#"<section class="scenario" id="figures">"#, "<h2>Figures</h2>"] + figures(report) + ["</section>"]
        }
        html += ["</main>", "</body>", "</html>", ""]
        return html.joined(separator: "\n")
    }

    /// One row per point, as in the Markdown: breaking rows highlighted, disagreeing ones in red.
    static func pointsTable(_ report: PlanReport) -> [String] {
        guard !report.points.isEmpty else { return [#"<p class="empty">No points in this report.</p>"#] }
        let keys = report.parameterKeys
        let margin = report.plan.headroomMargin
        var html = [
            #"<div class="scroll">"#, #"<table class="overview">"#,
            "<thead><tr><th>policy</th>" + keys.map { "<th>\(escape($0))</th>" }.joined()
                + "<th>requests</th><th>429</th><th>other failures</th><th>per host, req/s (busiest host)</th><th>per-host limit</th>"
                + "<th>global, req/s</th><th>global limit</th><th>answers</th><th>analytic check</th><th>breaks</th></tr></thead>",
            "<tbody>",
        ]
        for point in report.points {
            let rowClass = point.analytic?.agrees == false ? #" class="bad""# : point.breaks ? #" class="warn""# : ""
            var row = "<tr\(rowClass)><td>\(escape(point.policy))</td>" + keys.map { "<td class=\"num\">\(escape(point.parameter($0)?.value ?? "–"))</td>" }.joined()
            row += "<td class=\"num\">\(escape(PlanText.requests(point.requests)))</td>"
            row += [point.requests.rateLimited, point.requests.failed].map { "<td class=\"num\">\(PlanText.count($0))</td>" }.joined()
            row += "<td>\(escape(PlanText.load(point.perHost)))</td>" + limitCell(point.perHost, margin: margin)
            row += "<td>\(escape(PlanText.load(point.global)))</td>" + limitCell(point.global, margin: margin)
            row += "<td>\(escape(PlanText.answers(point.answers)))</td>"
            row += "<td class=\"wrap\">" + analytic(point) + "</td>"
            row += "<td class=\"wrap\">" + (point.breaks ? "<b>yes</b>: " + escape(point.breakReason ?? "reason not recorded") : "no") + "</td></tr>"
            html.append(row)
        }
        html += ["</tbody>", "</table>", "</div>"]
        return html
    }

    /// A limit and its headroom, in bold when it is under the margin or gone.
    static func limitCell(_ load: PlanLoad, margin: Double) -> String {
        let text = escape(PlanText.limitAndHeadroom(load, margin: margin))
        return "<td>" + (PlanText.isTight(load, margin: margin) ? "<b>\(text)</b>" : text) + "</td>"
    }

    /// The cross-check: a tick, the disagreement in bold red capitals, or why there is no closed form.
    static func analytic(_ point: PlanPoint) -> String {
        let detail = escape(PlanText.analyticDetail(point))
        switch point.analytic?.agrees {
        case true?: return "✓ " + detail
        case false?: return #"<b class="fail">\#(escape(PlanText.disagreement))</b>: "# + detail
        case nil: return "n/a: " + detail
        }
    }

    /// The breaking-points table and how far apart the policies break.
    static func breakingPoints(_ report: PlanReport) -> [String] {
        guard !report.breakingPoints.isEmpty else {
            return [#"<p class="empty">\#(report.sweep.isEmpty ? "No sweep, so no breaking points (<code>--sweep</code> finds them)." : "No breaking points in this report.")</p>"#]
        }
        let fixedKey = report.breakingPoints.lazy.compactMap(\.fixed?.key).first
        var html = [
            "<table>",
            "<thead><tr><th>policy</th>" + (fixedKey.map { "<th>\(escape($0))</th>" } ?? "") + "<th>last fine → first breaking</th><th>what broke</th></tr></thead>",
            "<tbody>",
        ]
        for row in report.breakingPoints {
            html.append("<tr><td>\(escape(row.policy))</td>" + (fixedKey == nil ? "" : "<td class=\"num\">\(escape(row.fixed?.value ?? "–"))</td>")
                        + "<td>\(escape(PlanText.breakingPoint(row, in: report)))</td>"
                        + "<td class=\"wrap\">\(escape(row.reason ?? (row.firstBreaking == nil ? "" : "reason not recorded")))</td></tr>")
        }
        html += ["</tbody>", "</table>"]
        let comparisons = PlanText.comparisons(report)
        if !comparisons.isEmpty {
            html.append("<ul>" + comparisons.map { "<li>\(escape($0))</li>" }.joined() + "</ul>")
        }
        return html
    }

    /// Without a sweep: each point's figures as tables, side by side.
    static func figures(_ report: PlanReport) -> [String] {
        let margin = report.plan.headroomMargin
        var html = [#"<div class="runs" style="grid-template-columns: repeat(\#(report.points.count), minmax(0, 1fr))">"#]
        for point in report.points {
            let r = point.requests, a = point.answers
            let requests: [(String, String, Bool)] = [
                ("connections", PlanText.count(point.connections), false), ("requests", PlanText.count(r.total), false),
                ("answered 200", PlanText.count(r.ok), false), ("429", PlanText.count(r.rateLimited), r.rateLimited > 0),
                ("other failures", PlanText.count(r.failed), r.failed > 0),
                ("telemetry exports", r.telemetryExports == 0 ? "none" : "\(PlanText.count(r.telemetryExports)), \(PlanText.count(r.telemetryExportsRefused)) refused", r.telemetryExportsRefused > 0),
                ("virtual time", PlanText.offset(nanoseconds: Int64(min(max(point.virtualSeconds, 0), 9e9) * 1e9)), false),
                ("wall time", PlanText.duration(seconds: point.wallSeconds), false),
            ]
            let answers: [(String, String, Bool)] = [
                ("checks", PlanText.count(a.total), false), ("wrong", PlanText.count(a.wrong), a.wrong > 0),
                ("stale", PlanText.count(a.stale), a.stale > 0), ("errors", PlanText.count(a.errors), a.errors > 0),
                ("during throttling", PlanText.count(a.duringThrottling), a.duringThrottling > 0),
            ]
            var analytic: [(String, String, Bool)] = [("verdict", PlanText.analyticVerdict(point), point.analytic?.agrees == false)]
            if let check = point.analytic {
                analytic += [
                    ("expected flag fetches", PlanText.count(Int(check.expectedRequests.rounded())), false),
                    ("simulated flag fetches", PlanText.count(check.simulatedRequests), false),
                    ("difference", PlanText.signedPercent(check.difference), !check.agrees),
                    ("tolerance", PlanText.percent(check.tolerance), false),
                ]
            } else {
                analytic.append(("why none", point.analyticUnavailable ?? "no closed form for this point", false))
            }
            html.append(#"<div class="cell">"#)
            html.append("<h3>\(escape(point.policy))</h3>")
            html.append(#"<p class="meta">\#(point.breaks ? "<b>breaks</b>: " + escape(point.breakReason ?? "reason not recorded") : "holds")</p>"#)
            if let timeline = point.timeline, !timeline.requests.isEmpty {
                html.append("<h4>Requests per second over time</h4>")
                html.append(#"<p class="muted meta">Averages per bucket; the busiest windows are in the tables below.</p>"#)
                html.append(timelineChart(timeline, point: point, plan: report.plan.name))
            }
            html.append(#"<div class="tables">"# + HTMLReport.table("Requests", requests) + loadTable("Per host", point.perHost, margin: margin)
                        + loadTable("Global", point.global, margin: margin) + HTMLReport.table("Answers", answers)
                        + HTMLReport.table("Analytic check", analytic) + "</div>")
            html.append("</div>")
        }
        html.append("</div>")
        return html
    }

    /// One load block as a figure table, the limit's row highlighted when the headroom is under the margin.
    static func loadTable(_ title: String, _ load: PlanLoad, margin: Double) -> String {
        var rows: [(String, String, Bool)] = [
            ("mean", PlanText.rate(load.meanPerSecond), false), ("p99", PlanText.rate(load.p99PerSecond), false),
            ("peak", PlanText.rate(load.peakPerSecond), false),
            ("peak window", "\(PlanText.count(load.peakRequests, "request")) at \(PlanText.offset(nanoseconds: load.peakAtNanoseconds))", false),
        ]
        if let host = load.busiestHost { rows.append(("busiest host", host, false)) }
        rows.append(("window", PlanText.duration(nanoseconds: load.windowNanoseconds), false))
        rows.append(("limit", PlanText.limitAndHeadroom(load, margin: margin), PlanText.isTight(load, margin: margin)))
        return HTMLReport.table(title, rows)
    }

    /// Escapes text for HTML content and attributes.
    static func escape(_ text: String) -> String { MarkupText.escape(text) }
}
