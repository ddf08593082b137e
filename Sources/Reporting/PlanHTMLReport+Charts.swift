import StormReport

extension PlanHTMLReport {
    /// The points of one policy (and one value of every other swept parameter), in order of the charted parameter.
    struct Line {
        /// The legend's text: `seed`, or `seed, ttl 15m` with a second swept parameter.
        var name: String
        /// The policy.
        var policy: String
        /// The other swept parameters' values this line holds.
        var others: [PlanParameter]
        /// Stroke colour.
        var color: String
        /// The points with their x value, by increasing x.
        var points: [(x: Double, point: PlanPoint)]
    }

    /// A value the charts draw, per point.
    struct Metric {
        /// The chart's heading.
        var heading: String
        /// The y axis title, with its unit.
        var yTitle: String
        /// The figure.
        var value: (PlanPoint) -> Double
        /// The limit drawn as a red line, when the point has one.
        var limit: (PlanPoint) -> Double?
        /// The limit's legend text, before its rate.
        var limitName: String
        /// Counts rather than rates (a whole-number axis).
        var integral = false
    }

    /// The three charts over the first numeric swept parameter, or a note saying why there are none.
    static func charts(_ report: PlanReport) -> [String] {
        guard let key = report.chartKey else {
            return [#"<p class="empty">No charts: no swept parameter has numeric values.</p>"#]
        }
        let lines = lines(report, key: key)
        let xs = lines.flatMap { $0.points.map(\.x) }
        let (x, logarithmic) = scale(xs)
        let xTitle = axisTitle(key) + (logarithmic ? " (log scale)" : "")
        let metrics = [
            Metric(heading: "Per-host peak requests per second (the busiest host), against the per-host limit",
                   yTitle: "peak req/s", value: { $0.perHost.peakPerSecond }, limit: { $0.perHost.limitPerSecond },
                   limitName: "per-host limit"),
            Metric(heading: "Global peak requests per second, against the global limit",
                   yTitle: "peak req/s", value: { $0.global.peakPerSecond }, limit: { $0.global.limitPerSecond },
                   limitName: "global limit"),
            Metric(heading: "Requests answered 429", yTitle: "429 answers", value: { Double($0.requests.rateLimited) }, limit: { _ in nil },
                   limitName: "", integral: true),
        ]
        var html: [String] = []
        for metric in metrics {
            html.append("<h4>\(escape(metric.heading))</h4>")
            html.append(chart(report, key: key, lines: lines, x: x, xTitle: xTitle, metric: metric))
        }
        html.append(#"<p class="muted meta">One line per policy\#(report.parameterKeys.count > 1 ? " and value of the other swept parameter" : ""); a ring marks the first value at which each breaks.</p>"#)
        return html
    }

    /// One chart of `metric` over `key`: a line per ``Line``, the limits in red, breaking points ringed.
    static func chart(_ report: PlanReport, key: String, lines: [Line], x: ChartScale, xTitle: String, metric: Metric) -> String {
        let values = lines.flatMap { $0.points.map { metric.value($0.point) } }.filter(\.isFinite)
        var limits: [Double] = []
        for limit in report.points.compactMap(metric.limit) where limit.isFinite && limit > 0 && !limits.contains(limit) { limits.append(limit) }
        limits.sort()
        let top = max(values.max() ?? 0, (limits.max() ?? 0) * 1.15)
        let positive = (values + limits).filter { $0 > 0 }
        let spread = (positive.max() ?? 1) / (positive.min() ?? 1)
        let y: ChartScale
        var yTitle = metric.yTitle
        if !metric.integral, spread > 100, !values.contains(where: { $0 <= 0 }) {
            y = .logarithmic(from: positive.min() ?? 1, to: top, label: NumberText.compact)
            yTitle += " (log scale)"
        } else {
            y = .linear(upTo: top, integral: metric.integral)
        }
        let series = lines.map { line in
            SVGChart.Series(name: line.name, color: line.color, markers: true,
                            points: line.points.map { SVGChart.Point(x: $0.x, y: metric.value($0.point)) })
        }
        let references = limits.map { SVGChart.Reference(name: "\(metric.limitName) \(PlanText.rate($0))", value: $0, color: HTMLReport.limitColor) }
        let marks = breakingMarks(report, key: key, lines: lines, value: metric.value)
        var legend = series.map { SVGChart.LegendEntry(name: $0.name, color: $0.color) }
            + references.map { SVGChart.LegendEntry(name: $0.name, color: $0.color, bold: true) }
        if !marks.isEmpty { legend.append(SVGChart.LegendEntry(name: "first breaking value", color: "#57606a", ring: true)) }
        return SVGChart(label: "\(metric.heading), over \(key), of plan \(report.plan.name)", x: x, y: y,
                        xTitle: xTitle, yTitle: yTitle, series: series, references: references, marks: marks, legend: legend).render()
    }

    /// A ring at each breaking point's first breaking value, on every line of its policy (and fixed value).
    static func breakingMarks(_ report: PlanReport, key: String, lines: [Line], value: (PlanPoint) -> Double) -> [SVGChart.Mark] {
        var marks: [SVGChart.Mark] = []
        for row in report.breakingPoints where row.key == key {
            guard let breaking = row.firstBreaking else { continue }
            for line in lines where line.policy == row.policy && (row.fixed.map { fixed in line.others.contains { $0.key == fixed.key && $0.value == fixed.value } } ?? true) {
                guard let hit = line.points.first(where: { $0.point.parameter(key)?.value == breaking }) else { continue }
                let label = "\(line.name) breaks at \(key) \(breaking)" + (row.reason.map { ": \($0)" } ?? "")
                marks.append(SVGChart.Mark(x: hit.x, y: value(hit.point), color: line.color, label: label))
            }
        }
        return marks
    }

    /// The points grouped into lines by policy and the other swept values, in order of first appearance.
    static func lines(_ report: PlanReport, key: String) -> [Line] {
        var lines: [Line] = []
        for point in report.points {
            guard let x = point.parameter(key)?.numeric, x.isFinite else { continue }
            let others = point.parameters.filter { $0.key != key && $0.key != "policy" }
            if let index = lines.firstIndex(where: { $0.policy == point.policy && $0.others == others }) {
                lines[index].points.append((x, point))
            } else {
                let rest = point.otherParameters(excluding: key)
                lines.append(Line(name: rest.isEmpty ? point.policy : "\(point.policy), \(rest)", policy: point.policy, others: others,
                                  color: HTMLReport.palette[lines.count % HTMLReport.palette.count], points: [(x, point)]))
            }
        }
        for index in lines.indices {
            lines[index].points = lines[index].points.enumerated().sorted { ($0.element.x, $0.offset) < ($1.element.x, $1.offset) }.map(\.element)
        }
        return lines
    }

    /// A point's load over time: every request, 429s and telemetry exports per second of each bucket,
    /// against the global limit, with hours from the start of the simulation (the plan's times) on x.
    static func timelineChart(_ timeline: PlanTimeline, point: PlanPoint, plan: String) -> String {
        let bucketSeconds = Double(timeline.bucketNanoseconds) / 1e9
        let startHours = Double(timeline.startNanoseconds) / 3.6e12
        func series(_ name: String, _ counts: [Int], color: String, dashed: Bool = false) -> SVGChart.Series {
            SVGChart.Series(name: name, color: color, dashed: dashed, points: counts.enumerated().map { index, count in
                SVGChart.Point(x: startHours + (Double(index) + 0.5) * bucketSeconds / 3_600, y: Double(count) / bucketSeconds)
            })
        }
        var lines = [series("all requests", timeline.requests, color: HTMLReport.palette[0])]
        if timeline.telemetryExports.contains(where: { $0 > 0 }) {
            lines.append(series("telemetry exports", timeline.telemetryExports, color: HTMLReport.palette[2]))
        }
        if timeline.rateLimited.contains(where: { $0 > 0 }) {
            lines.append(series("answered 429", timeline.rateLimited, color: HTMLReport.palette[1], dashed: true))
        }
        let references = point.global.limitPerSecond.map {
            [SVGChart.Reference(name: "global limit \(PlanText.rate($0))", value: $0, color: HTMLReport.limitColor)]
        } ?? []
        let top = max(lines.flatMap { $0.points.map(\.y) }.max() ?? 0, (references.first?.value ?? 0) * 1.15)
        let end = startHours + Double(timeline.requests.count) * bucketSeconds / 3_600
        return SVGChart(label: "Requests per second over time under \(point.policy), plan \(plan)",
                        x: .linear(upTo: end, exact: true), y: .linear(upTo: top),
                        xTitle: "hours from the start (\(PlanText.duration(nanoseconds: timeline.bucketNanoseconds)) buckets)",
                        yTitle: "req/s", series: lines, references: references).render()
    }

    /// The x axis over the swept values: logarithmic when they are positive and span more than 20×, else linear from 0.
    static func scale(_ values: [Double]) -> (ChartScale, logarithmic: Bool) {
        let low = values.min() ?? 0, high = values.max() ?? 1
        if low > 0, high / low > 20 {
            return (.logarithmic(from: low, to: high, label: NumberText.compact), true)
        }
        return (.linear(upTo: high), false)
    }

    /// The x axis title: the parameter with the unit of its numeric value.
    static func axisTitle(_ key: String) -> String {
        switch key {
        case "ttl", "lifetime": "\(key) (seconds)"
        case "rate": "rate (connections/s per host and process)"
        default: key
        }
    }
}
