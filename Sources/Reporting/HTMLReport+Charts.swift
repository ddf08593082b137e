import Foundation
import StormReport

extension HTMLReport {
    /// Series colours, distinguishable on screen and in print; red is kept for limits.
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]
    /// Rate limits and 429s.
    static let limitColor = "#d62728"
    /// Columns a timeline chart draws at most; longer timelines are merged into wider columns (the engine keeps about 120 buckets).
    static let maximumColumns = 600

    /// The operations with a percentile curve, the usual ones first (`open`, `isEnabled`, `close`, `fetch`), then the rest by name.
    static func latencyOperations(_ summary: RunSummary) -> [(String, [LatencyPercentile])] {
        let usual = ["open", "isEnabled", "close", "fetch"]
        let names = summary.latency.keys.sorted { (usual.firstIndex(of: $0) ?? usual.count, $0) < (usual.firstIndex(of: $1) ?? usual.count, $1) }
        return names.compactMap { name in
            guard let entry = summary.latency[name], entry.count > 0,
                  let curve = entry.percentiles?.filter({ $0.percentile >= 0 && !$0.percentile.isNaN }), !curve.isEmpty else { return nil }
            return (name, curve.sorted { $0.percentile < $1.percentile })
        }
    }

    /// The HdrHistogram percentile axis position: `log10(1/(1−p))` (50 % at 0.3, 90 % at 1, 99 % at 2, 99.9 % at 3).
    static func percentileX(_ percentile: Double) -> Double {
        percentile >= 100 ? .infinity : -log10(1 - percentile / 100)
    }

    /// `90 %`, `99 %`, `99.9 %`, … for one to nine decades.
    static func percentileLabel(decades: Int) -> String {
        decades <= 1 ? "90 %" : "99" + (decades > 2 ? "." + String(repeating: "9", count: decades - 2) : "") + " %"
    }

    /// The latency percentile curve of every operation, on shared log scales.
    static func latencyChart(_ summary: RunSummary, _ scales: SharedScales) -> String {
        let heading = "<h4>Latency by percentile</h4>\n"
        let operations = latencyOperations(summary)
        guard !operations.isEmpty else {
            return heading + #"<p class="empty">No latency percentile curves in this report (written before they were recorded, or probes were off).</p>"#
        }
        let series = operations.enumerated().map { index, operation in
            let entry = summary.latency[operation.0]
            let name = "\(operation.0) (n \(NumberText.grouped(entry?.count ?? 0)), p99 \(ConsoleSummary.duration(entry?.p99Nanoseconds ?? 0)))"
            return SVGChart.Series(name: name, color: palette[index % palette.count], markers: true, points: operation.1.map { point in
                SVGChart.Point(x: point.percentile >= 100 ? scales.maximumPercentileX : percentileX(point.percentile),
                               y: Double(max(point.valueNanoseconds, 1)))
            })
        }
        let chart = SVGChart(label: "Latency percentile curves of \(summary.scenario.name) [\(summary.scenario.policy)]",
                             x: scales.percentile, y: scales.latency,
                             xTitle: "percentile (log scale of 1/(1−p))", yTitle: "latency (log scale)", series: series)
        return heading + chart.render()
    }

    /// Fetches per second of the busiest hosts, each beside its minimum (dashed), with the per-host limit in red.
    static func hostFetchesChart(_ summary: RunSummary, _ scales: SharedScales) -> String {
        let heading = "<h4>Fetches per second, busiest hosts</h4>\n"
        guard let timeline = drawable(summary.timeline) else { return heading + noTimeline(summary.timeline) }
        let hosts = Array(timeline.hosts.prefix(RunTimeline.maximumHosts))
        let (scale, scaleNote) = rateScale(shared: scales.hostRate, groupPeak: scales.hostRatePeak,
                                           ownPeak: peak(hostColumns(timeline), timeline, limit: timeline.perHostLimitPerSecond))
        guard !hosts.isEmpty else { return heading + #"<p class="empty">No host fetched in this run.</p>"# }
        var series: [SVGChart.Series] = []
        var legend: [SVGChart.LegendEntry] = []
        for (index, host) in hosts.enumerated() {
            let color = palette[index % palette.count]
            series.append(SVGChart.Series(name: host.host, color: color, points: steps(host.fetches, timeline, perSecond: true)))
            series.append(SVGChart.Series(name: host.host + " minimum", color: color, dashed: true, points: steps(host.minimum, timeline, perSecond: true)))
            legend.append(SVGChart.LegendEntry(name: host.host, color: color))
        }
        legend.append(SVGChart.LegendEntry(name: "fetches", color: "#57606a"))
        legend.append(SVGChart.LegendEntry(name: "minimum (TTL windows opened)", color: "#57606a", dashed: true))
        let references = timeline.perHostLimitPerSecond.map { [SVGChart.Reference(name: "per-host limit \(NumberText.compact($0))/s", value: $0, color: limitColor)] } ?? []
        legend += references.map { SVGChart.LegendEntry(name: $0.name, color: $0.color, bold: true) }
        let chart = SVGChart(label: "Fetches per second of the busiest hosts of \(summary.scenario.name) [\(summary.scenario.policy)]",
                             x: scales.time, y: scale, xTitle: "seconds since the run started", yTitle: "fetches per second",
                             series: series, references: references, legend: legend)
        return heading + chart.render() + "\n" + bucketNote(timeline) + journalNote(summary, timeline) + scaleNote
    }

    /// All fetches and the 429s among them per second, with the global limit in red.
    static func allFetchesChart(_ summary: RunSummary, _ scales: SharedScales) -> String {
        let heading = "<h4>Fetches per second, all hosts, and 429 answers</h4>\n"
        guard let timeline = drawable(summary.timeline) else { return heading + noTimeline(summary.timeline) }
        let (scale, scaleNote) = rateScale(shared: scales.totalRate, groupPeak: scales.totalRatePeak,
                                           ownPeak: peak([timeline.fetches, timeline.rateLimited], timeline, limit: timeline.globalLimitPerSecond))
        let references = timeline.globalLimitPerSecond.map { [SVGChart.Reference(name: "global limit \(NumberText.compact($0))/s", value: $0, color: limitColor)] } ?? []
        let chart = SVGChart(label: "Fetches and 429 answers per second of \(summary.scenario.name) [\(summary.scenario.policy)]",
                             x: scales.time, y: scale, xTitle: "seconds since the run started", yTitle: "requests per second",
                             series: [
                                SVGChart.Series(name: "all fetches (\(NumberText.grouped(summary.fetches.total)))", color: palette[0], points: steps(timeline.fetches, timeline, perSecond: true)),
                                SVGChart.Series(name: "429 answers (\(NumberText.grouped(summary.fetches.rateLimited)))", color: palette[1], points: steps(timeline.rateLimited, timeline, perSecond: true)),
                             ],
                             references: references, plotHeight: 150)
        return heading + chart.render() + journalNote(summary, timeline) + scaleNote
    }

    /// Says so when the server journalled fewer requests than it counted (a scenario's
    /// `journalEntryLimit`): the fetch columns come from the journal and cover only those.
    static func journalNote(_ summary: RunSummary, _ timeline: RunTimeline) -> String {
        let journalled = timeline.fetches.reduce(0, +)
        guard journalled < summary.fetches.total else { return "" }
        return #"<p class="muted meta">The server journalled only the first \#(NumberText.grouped(journalled)) of \#(NumberText.grouped(summary.fetches.total)) requests (the scenario caps its journal), so these columns cover those only; the counts above are exact.</p>"#
    }

    /// Live connections or live telemetry clients over time (the most seen at a sample in each bucket).
    static func liveChart(_ summary: RunSummary, _ scales: SharedScales, connections: Bool) -> String {
        let what = connections ? "connections" : "telemetry clients"
        let heading = "<h4>Live \(what)</h4>\n"
        guard let timeline = drawable(summary.timeline) else { return heading + noTimeline(summary.timeline) }
        let name = connections ? "live connections (peak \(NumberText.grouped(summary.connections.peakConcurrent)))" : "live telemetry clients"
        let chart = SVGChart(label: "Live \(what) of \(summary.scenario.name) [\(summary.scenario.policy)]",
                             x: scales.time, y: connections ? scales.liveConnections : scales.liveClients,
                             xTitle: "seconds since the run started", yTitle: "live \(connections ? "connections" : "clients")",
                             series: [SVGChart.Series(name: name + ", most at a sample per bucket", color: connections ? palette[0] : palette[2],
                                                      points: steps(connections ? timeline.liveConnections : timeline.liveClients, timeline, perSecond: false))],
                             plotHeight: 130)
        return heading + chart.render()
    }

    /// Contended acquisitions and wait p99 per lock, as bars on shared scales, and the lock figures.
    static func contentionCharts(_ summary: RunSummary, _ scales: SharedScales) -> String {
        let heading = "<h4>Lock contention</h4>\n"
        let locks = summary.contention.sorted { $0.key < $1.key }
        guard !locks.isEmpty else { return heading + #"<p class="empty">No lock statistics in this report.</p>"# }
        let contended = SVGBarChart(
            label: "Contended acquisitions per lock of \(summary.scenario.name) [\(summary.scenario.policy)]",
            scale: scales.contended, axisTitle: "contended acquisitions",
            bars: locks.map { name, lock in
                SVGBarChart.Bar(label: name, value: Double(lock.contended),
                                valueLabel: "\(NumberText.count(lock.contended)) of \(NumberText.count(lock.acquisitions)) (\(NumberText.percent(Double(lock.contended), of: Double(lock.acquisitions))))",
                                color: palette[0])
            })
        let waits = SVGBarChart(
            label: "Lock wait p99 per lock of \(summary.scenario.name) [\(summary.scenario.policy)]",
            scale: scales.lockWait, axisTitle: "wait p99 of contended acquisitions (log scale)",
            bars: locks.map { name, lock in
                let waited = lock.contended > 0
                return SVGBarChart.Bar(label: name, value: waited ? Double(lock.waitP99Nanoseconds) : 0,
                                       valueLabel: waited ? "p99 \(ConsoleSummary.duration(lock.waitP99Nanoseconds)), max \(ConsoleSummary.duration(lock.waitMaxNanoseconds))" : "never contended",
                                       color: palette[1])
            })
        var table = ["<table>", "<thead><tr><th>lock</th><th>acquisitions</th><th>contended</th><th>wait p50</th><th>wait p99</th><th>wait max</th><th>hold p99</th></tr></thead>", "<tbody>"]
        for (name, lock) in locks {
            table.append("<tr><td>\(escape(name))</td><td class=\"num\">\(NumberText.grouped(lock.acquisitions))</td><td class=\"num\">\(NumberText.grouped(lock.contended))</td>"
                         + [lock.waitP50Nanoseconds, lock.waitP99Nanoseconds, lock.waitMaxNanoseconds, lock.holdP99Nanoseconds]
                            .map { "<td class=\"num\">\(escape(ConsoleSummary.duration($0)))</td>" }.joined() + "</tr>")
        }
        table += ["</tbody>", "</table>"]
        return heading + contended.render() + "\n" + waits.render() + "\n" + table.joined(separator: "\n")
    }

    /// The timeline when it has buckets of a positive width.
    static func drawable(_ timeline: RunTimeline?) -> RunTimeline? {
        guard let timeline, timeline.bucketCount > 0, timeline.bucketNanoseconds > 0 else { return nil }
        return timeline
    }

    /// Why a timeline chart is missing: an older report, or a timeline without buckets.
    static func noTimeline(_ timeline: RunTimeline?) -> String {
        timeline == nil
            ? #"<p class="empty">No timeline in this report (written before timelines were recorded).</p>"#
            : #"<p class="empty">The timeline is empty (no bucket was recorded).</p>"#
    }

    /// Which hosts the chart shows and what one fetch in a bucket amounts to per second (per-bucket rates of sparse fetches spike).
    static func bucketNote(_ timeline: RunTimeline) -> String {
        let width = NumberText.durationTick(nanoseconds: Double(timeline.bucketNanoseconds))
        let one = NumberText.compact(1e9 / Double(timeline.bucketNanoseconds))
        let shown = min(timeline.hosts.count, RunTimeline.maximumHosts)
        return #"<p class="muted meta">\#(shown == 1 ? "The busiest host" : "The busiest \(shown) hosts") by fetches, in buckets of \#(escape(width)): one fetch in a bucket draws as \#(escape(one))/s.</p>"#
    }

    /// The busiest hosts' columns a chart draws: fetches and minimum of each.
    static func hostColumns(_ timeline: RunTimeline) -> [[Int]] {
        timeline.hosts.prefix(RunTimeline.maximumHosts).flatMap { [$0.fetches, $0.minimum] }
    }

    /// The highest value `columns` reach when drawn (per second, or as gauges), or 15 % above `limit` so a limit line never sits on the frame.
    static func peak(_ columns: [[Int]], _ timeline: RunTimeline, perSecond: Bool = true, limit: Double? = nil) -> Double {
        let drawn = columns.flatMap { steps($0, timeline, perSecond: perSecond).map(\.y) }.max() ?? 0
        return max(drawn, (limit ?? 0) * 1.15)
    }

    /// The group's shared rate scale, or the run's own when another run of the group peaks more than ten times higher
    /// (a quiet `recommended` run beside a `seed` storm would be a flat line); the note says so under the chart.
    static func rateScale(shared: ChartScale, groupPeak: Double, ownPeak: Double) -> (ChartScale, String) {
        guard ownPeak > 0, groupPeak > 10 * ownPeak else { return (shared, "") }
        return (.linear(upTo: ownPeak),
                #"<p class="muted meta">Drawn on its own scale: another run of this scenario peaks at \#(escape(NumberText.compact(groupPeak)))/s, over ten times higher.</p>"#)
    }

    /// A column of per-bucket figures as a step line over seconds since the start: per second (counts) or as is (gauges).
    ///
    /// More than ``maximumColumns`` buckets merge into wider columns: counts by
    /// their total over the wider time, gauges by their largest value, so a
    /// rate and a peak keep their meaning at any width.
    static func steps(_ column: [Int], _ timeline: RunTimeline, perSecond: Bool) -> [SVGChart.Point] {
        guard !column.isEmpty, timeline.bucketNanoseconds > 0 else { return [] }
        let bucketSeconds = Double(timeline.bucketNanoseconds) / 1e9
        let merge = (column.count + maximumColumns - 1) / maximumColumns
        var points: [SVGChart.Point] = []
        points.reserveCapacity(2 * ((column.count + merge - 1) / merge))
        for start in stride(from: 0, to: column.count, by: merge) {
            let end = min(start + merge, column.count)
            let slice = column[start..<end]
            let value = perSecond
                ? slice.reduce(0.0) { $0 + Double($1) } / (Double(end - start) * bucketSeconds)
                : Double(slice.max() ?? 0)
            if points.count >= 2, points[points.count - 1].y == value {
                points[points.count - 1].x = Double(end) * bucketSeconds  // a run of equal values is one segment
            } else {
                points.append(SVGChart.Point(x: Double(start) * bucketSeconds, y: value))
                points.append(SVGChart.Point(x: Double(end) * bucketSeconds, y: value))
            }
        }
        return points
    }
}
