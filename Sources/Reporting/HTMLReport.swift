import StormReport

/// One self-contained HTML page for one or more runs: per scenario a verdict,
/// what failed, charts (latency percentile curves, fetches over time beside
/// the minimum and the rate limits, lock contention, live connections and
/// clients) and the figures in tables.
///
/// Why this shape: it is read at 2 a.m. from a CI artifact, possibly offline,
/// so it has no scripts, fonts or external assets, leads with the verdict and
/// what failed, and draws the same scenario's `seed` and `recommended` runs
/// side by side on shared scales. It only formats: every number comes from the
/// ``StormReport/RunSummary`` (house style rule 6). Output is deterministic
/// (no clock, stable ordering) and bounded: the report keeps the top hosts
/// only and the timeline a bounded number of buckets, and nothing here loops
/// over connections or hosts beyond those.
public enum HTMLReport {
    /// The lines that open every page up to `</head>`: doctype, metadata, the title (escaped here) and the stylesheet.
    static func documentHead(title: String) -> [String] {
        [
            "<!DOCTYPE html>",
            #"<html lang="en">"#,
            "<head>",
            #"<meta charset="utf-8">"#,
            #"<meta name="viewport" content="width=device-width, initial-scale=1">"#,
            #"<link rel="icon" href="data:,">"#,
            "<title>\(escape(title))</title>",
            "<style>", stylesheet, "</style>",
            "</head>",
        ]
    }

    /// Renders `summaries` (one run per scenario and policy, in any order) as one HTML5 document.
    public static func render(_ summaries: [RunSummary]) -> String {
        render(SuiteVerdict(summaries: summaries))
    }

    /// Renders a suite under its one verdict: the banner says what the exit code says, and a comparison section
    /// (with a baseline) lists each regressed metric with its baseline, current and allowed values.
    public static func render(_ verdict: SuiteVerdict) -> String {
        let summaries = verdict.summaries
        var html = documentHead(title: "FlagStorm: \(verdict.headline)") + [
            "<body>",
            "<main>",
            #"<h1>FlagStorm: <span class="\#(verdict.passed ? "pass" : "fail")">\#(escape(verdict.headline))</span></h1>"#,
        ]
        if verdict.interrupted {
            html.append(#"<p class="fail">Interrupted by a signal: the runs below finished; the report is partial.</p>"#)
        }
        if verdict.comparison != nil { html += comparisonSection(verdict) }
        let groups = scenarioGroups(summaries)
        html += overview(groups)
        for (index, group) in groups.enumerated() {
            html += scenarioSection(group, id: "scenario-\(index + 1)")
        }
        if summaries.isEmpty { html.append(#"<p class="empty">No runs in this report.</p>"#) }
        html += ["</main>", "</body>", "</html>", ""]
        return html.joined(separator: "\n")
    }

    /// The baseline comparison: each regressed metric with baseline, current and allowed values, or a line saying none regressed.
    static func comparisonSection(_ verdict: SuiteVerdict) -> [String] {
        guard let comparison = verdict.comparison else { return [] }
        let against = escape(verdict.baseline ?? "the baseline")
        var html = [#"<section id="comparison">"#, "<h2>Baseline comparison</h2>"]
        let regressions = verdict.regressions
        if regressions.isEmpty {
            html.append("<p>No regression against \(against) (\(comparison.rows.count) metrics compared).</p>")
        } else {
            html.append(#"<p class="fail">\#(regressions.count) metric(s) regressed against \#(against):</p>"#)
            html.append(#"<div class="scroll"><table>"#)
            html.append("<thead><tr><th>scenario</th><th>policy</th><th>metric</th><th>baseline</th><th>current</th><th>change</th><th>allowed</th></tr></thead><tbody>")
            for row in regressions {
                html.append("<tr><td>\(escape(row.scenario))</td><td>\(escape(row.policy))</td><td><code>\(escape(row.metric))</code></td>"
                            + "<td>\(escape(BaselineComparison.formatted(row.baseline, metric: row.metric)))</td>"
                            + "<td>\(escape(BaselineComparison.formatted(row.current, metric: row.metric)))</td>"
                            + "<td>\(escape(row.change))</td><td>\(escape(row.allowed))</td></tr>")
            }
            html.append("</tbody></table></div>")
        }
        if let reason = comparison.latencyNotJudged { html.append("<p>Note: \(escape(reason)).</p>") }
        if !comparison.missingBaselines.isEmpty {
            html.append("<p>No baseline for: \(escape(comparison.missingBaselines.joined(separator: ", ")))</p>")
        }
        html.append("</section>")
        return html
    }

    /// Runs grouped by scenario name in order of first appearance; within a group `seed` before `recommended`, then others, input order kept.
    static func scenarioGroups(_ summaries: [RunSummary]) -> [[RunSummary]] {
        var order: [String] = []
        var groups: [String: [RunSummary]] = [:]
        for summary in summaries {
            if groups[summary.scenario.name] == nil { order.append(summary.scenario.name) }
            groups[summary.scenario.name, default: []].append(summary)
        }
        func rank(_ policy: String) -> Int { policy == "seed" ? 0 : policy == "recommended" ? 1 : 2 }
        return order.map { name in
            (groups[name] ?? []).enumerated()
                .sorted { (rank($0.element.scenario.policy), $0.offset) < (rank($1.element.scenario.policy), $1.offset) }
                .map(\.element)
        }
    }

    /// The table of every run, linking to its scenario's section.
    static func overview(_ groups: [[RunSummary]]) -> [String] {
        var html = [
            #"<div class="scroll">"#,
            "<table class=\"overview\">",
            "<thead><tr><th>scenario</th><th>policy</th><th>verdict</th><th>duration</th><th>fetches (minimum)</th><th>redundant</th><th>429</th><th>wrong answers</th><th>isEnabled p99</th><th>what failed</th></tr></thead>",
            "<tbody>",
        ]
        for (index, group) in groups.enumerated() {
            for summary in group {
                let f = summary.fetches
                html.append("<tr><td><a href=\"#scenario-\(index + 1)\">\(escape(summary.scenario.name))</a></td><td>\(escape(summary.scenario.policy))</td><td>\(badge(summary.verdict))</td>"
                            + "<td class=\"num\">\(escape(ConsoleSummary.duration(summary.durationNanoseconds)))</td><td class=\"num\">\(NumberText.grouped(f.total)) (\(NumberText.grouped(f.minimum)))</td>"
                            + "<td class=\"num\">\(NumberText.grouped(f.redundant))</td><td class=\"num\">\(NumberText.grouped(f.rateLimited))</td><td class=\"num\">\(NumberText.grouped(summary.answers.wrong))</td>"
                            + "<td class=\"num\">\(summary.latency["isEnabled"].map { escape(ConsoleSummary.duration($0.p99Nanoseconds)) } ?? "–")</td>"
                            + "<td class=\"wrap\">\(escape(MarkdownReport.failedChecks(summary).joined(separator: "; ")))</td></tr>")
            }
        }
        html += ["</tbody>", "</table>", "</div>"]
        return html
    }

    /// One scenario: its description, then one grid row per block with a column per run, so blocks line up across policies.
    static func scenarioSection(_ group: [RunSummary], id: String) -> [String] {
        guard let first = group.first else { return [] }
        var html = [#"<section class="scenario" id="\#(id)">"#, "<h2>\(escape(first.scenario.name))</h2>"]
        if let description = first.scenario.description, !description.isEmpty {
            html.append(#"<p class="description">\#(escape(description.split(separator: "\n").joined(separator: " ")))</p>"#)
        }
        html.append(#"<div class="runs" style="grid-template-columns: repeat(\#(group.count), minmax(0, 1fr))">"#)
        let scales = SharedScales(group)
        let blocks: [(RunSummary) -> String] = [
            runHeader, failures, figures,
            { latencyChart($0, scales) }, { hostFetchesChart($0, scales) }, { allFetchesChart($0, scales) },
            { contentionCharts($0, scales) }, { liveChart($0, scales, connections: true) }, { liveChart($0, scales, connections: false) },
            checksTable, countsTables, topHostsTable,
        ]
        for block in blocks {
            for summary in group { html.append(#"<div class="cell">"# + block(summary) + "</div>") }
        }
        html += ["</div>", "</section>"]
        return html
    }

    /// The policy, verdict and where and how the run happened.
    static func runHeader(_ summary: RunSummary) -> String {
        let s = summary.scenario, e = summary.environment
        var facts = [
            "mode \(s.mode)", "seed \(s.seed)", "duration \(ConsoleSummary.duration(summary.durationNanoseconds))",
        ]
        if let shard = s.shard { facts.append("shard \(shard)") }
        if let file = s.file { facts.append(file) }
        var environment = ["\(e.cores) cores", e.allocator, e.toolchain]
        if let build = e.build { environment.append("\(build) build") }
        environment.append("started \(e.startedAt)")
        return "<h3>\(escape(s.policy)) \(badge(summary.verdict))</h3>\n"
            + #"<p class="meta">\#(escape(facts.joined(separator: " · ")))<br>\#(escape(environment.joined(separator: " · ")))</p>"#
    }

    /// The failed thresholds with their observed values and the violated gating invariants with an example; then expected (non-gating) findings.
    static func failures(_ summary: RunSummary) -> String {
        let thresholds = summary.thresholds.filter { !$0.ok }
        let gating = summary.invariants.filter { $0.gating && $0.violations > 0 }
        let expected = summary.invariants.filter { !$0.gating && $0.violations > 0 }
        var html = ["<h4>What failed</h4>"]
        if thresholds.isEmpty, gating.isEmpty {
            html.append(#"<p class="ok">Nothing: every threshold and gating invariant held.</p>"#)
        } else {
            html.append(#"<ul class="failed">"#)
            for threshold in thresholds {
                let observed = threshold.observedText.map { "observed <b>\(escape($0))</b>" } ?? "not evaluated"
                html.append("<li>threshold <code>\(escape(threshold.expression))</code>: \(observed)" + (threshold.message.map { " — \(escape($0))" } ?? "") + "</li>")
            }
            for invariant in gating { html.append("<li>" + invariantText(invariant) + "</li>") }
            html.append("</ul>")
        }
        if !expected.isEmpty {
            html.append(#"<p class="muted">Expected under \#(escape(summary.scenario.policy)) (not gating):</p>"#)
            html.append(#"<ul class="expected">"#)
            for invariant in expected { html.append("<li>" + invariantText(invariant) + "</li>") }
            html.append("</ul>")
        }
        return html.joined(separator: "\n")
    }

    /// An invariant's name, violations and example, for the "what failed" lists.
    static func invariantText(_ invariant: InvariantResult) -> String {
        "invariant <b>\(escape(invariant.name))</b>: \(NumberText.grouped(invariant.violations)) violation(s)"
            + (invariant.example.map { #", e.g. <q class="example">\#(escape($0))</q>"# } ?? "")
    }

    /// Connections and fetches at a glance.
    static func figures(_ summary: RunSummary) -> String {
        let c = summary.connections, f = summary.fetches
        var connections: [(String, String, Bool)] = [
            ("opened", NumberText.grouped(c.opened), false), ("closed", NumberText.grouped(c.closed), false),
            ("peak live", NumberText.grouped(c.peakConcurrent), false), ("hosts", NumberText.grouped(c.hosts), false),
            ("late starts", NumberText.grouped(c.lateStarts), c.lateStarts > 0), ("dropped", NumberText.grouped(c.dropped), c.dropped > 0),
        ]
        if let bytes = c.bytesPerConnection { connections.append(("bytes per connection", NumberText.grouped(bytes), false)) }
        if let h = summary.harness {
            connections.append(("opens offered (of intended)", offered(h.achievedOpens, of: h.intendedOpens, h.opensFraction), h.opensShort))
            connections.append(("checks offered (of intended)", offered(h.achievedChecks, of: h.intendedChecks, h.checksFraction), h.checksShort))
        }
        let fetches: [(String, String, Bool)] = [
            ("total", NumberText.grouped(f.total), false), ("minimum", NumberText.grouped(f.minimum), false),
            ("redundant", NumberText.grouped(f.redundant), f.redundant > 0), ("failed", NumberText.grouped(f.failed), f.failed > 0),
            ("429", NumberText.grouped(f.rateLimited), f.rateLimited > 0),
            ("before Retry-After", NumberText.grouped(f.beforeRetryAfter), f.beforeRetryAfter > 0),
            ("peak per host per minute", NumberText.grouped(f.peakPerHostPerMinute), false),
        ]
        return #"<div class="tables">"# + table("Connections", connections) + table("Fetches", fetches) + "</div>"
    }

    /// `2,060,114 of 10,000,000 (20.6 %)`: achieved of intended, the share rounded down (so a shortfall never reads as 100 %).
    static func offered(_ achieved: Int, of intended: Int, _ fraction: Double) -> String {
        "\(NumberText.grouped(achieved)) of \(NumberText.grouped(intended)) (\(NumberText.percentDown(fraction)))"
    }

    /// Every threshold and every invariant, held or not.
    static func checksTable(_ summary: RunSummary) -> String {
        var html = ["<h4>Thresholds and invariants</h4>", "<table>", "<thead><tr><th></th><th>check</th><th>gating</th><th>observed</th><th>note</th></tr></thead>", "<tbody>"]
        for threshold in summary.thresholds {
            html.append("<tr\(threshold.ok ? "" : #" class="bad""#)><td>\(threshold.ok ? "✓" : "✗")</td><td><code>\(escape(threshold.expression))</code></td><td>yes</td>"
                        + "<td class=\"num\">\(threshold.observedText.map(escape) ?? "–")</td><td class=\"wrap\">\(escape(threshold.message ?? ""))</td></tr>")
        }
        for invariant in summary.invariants {
            let broken = invariant.violations > 0
            let mark = !broken ? "✓" : invariant.gating ? "✗" : "·"
            let rowClass = !broken ? "" : invariant.gating ? #" class="bad""# : #" class="warn""#
            html.append("<tr\(rowClass)><td>\(mark)</td><td>\(escape(invariant.name))</td><td>\(invariant.gating ? "yes" : "no")</td>"
                        + "<td class=\"num\">\(NumberText.grouped(invariant.violations))</td><td class=\"wrap\">\(escape(invariant.example ?? ""))</td></tr>")
        }
        if summary.thresholds.isEmpty, summary.invariants.isEmpty { html.append(#"<tr><td></td><td colspan="4">none</td></tr>"#) }
        html += ["</tbody>", "</table>"]
        return html.joined(separator: "\n")
    }

    /// Answers, client lifecycle and leak figures, with non-zero faults highlighted.
    static func countsTables(_ summary: RunSummary) -> String {
        let a = summary.answers, l = summary.lifecycle, k = summary.leaks
        let answers: [(String, String, Bool)] = [
            ("checks", NumberText.grouped(a.total), false), ("wrong", NumberText.grouped(a.wrong), a.wrong > 0),
            ("errors", NumberText.grouped(a.errors), a.errors > 0), ("stale (allowed)", NumberText.grouped(a.stale), false),
            ("waited on refresh", NumberText.grouped(a.waitedOnRefresh), false), ("cancelled", NumberText.grouped(a.cancelled), false),
        ]
        let lifecycle: [(String, String, Bool)] = [
            ("clients started", NumberText.grouped(l.clientsStarted), false), ("clients closed", NumberText.grouped(l.clientsClosed), false),
            ("peak clients per host", NumberText.grouped(l.peakClientsPerHost), l.peakClientsPerHost > 1),
            ("closed while in use", NumberText.grouped(l.clientsClosedWhileInUse), l.clientsClosedWhileInUse > 0),
            ("events after close", NumberText.grouped(l.eventsAfterClose), l.eventsAfterClose > 0),
            ("double releases", NumberText.grouped(l.doubleReleases), l.doubleReleases > 0),
            ("blocked by another host", NumberText.grouped(l.acquiresBlockedByOtherHost), l.acquiresBlockedByOtherHost > 0),
        ]
        let leaks: [(String, String, Bool)] = [
            ("cache entries (kept until expiry by design)", NumberText.grouped(k.cacheEntriesAfterDrain), k.cacheEntriesAfterDrain != 0),
            ("clients", NumberText.grouped(k.clientsAfterDrain), k.clientsAfterDrain != 0),
            ("leases outstanding", NumberText.grouped(k.leasesOutstanding), k.leasesOutstanding != 0),
            ("tasks outstanding", NumberText.grouped(k.tasksOutstanding), k.tasksOutstanding != 0),
            ("allocated bytes growth", k.allocatedBytesGrowth.map(NumberText.grouped) ?? "n/a (allocator not verified)", (k.allocatedBytesGrowth ?? 0) != 0),
            ("file descriptor growth", NumberText.grouped(k.fdGrowth), k.fdGrowth != 0),
        ]
        return #"<div class="tables">"# + table("Answers", answers) + table("Client lifecycle", lifecycle) + table("Left after drain", leaks) + "</div>"
    }

    /// The busiest hosts by fetches, as the report keeps them (at most 20).
    static func topHostsTable(_ summary: RunSummary) -> String {
        let hosts = summary.fetches.byHost.prefix(20)
        guard !hosts.isEmpty else { return #"<h4>Busiest hosts</h4><p class="empty">No host fetched.</p>"# }
        var html = ["<details>", "<summary>Busiest hosts: \(hosts.count) of \(NumberText.grouped(summary.connections.hosts)) by fetches</summary>", "<table>",
                    "<thead><tr><th>host</th><th>fetches</th><th>minimum</th></tr></thead>", "<tbody>"]
        for host in hosts {  // highlighted: more fetches than a correct cache needed
            html.append("<tr\(host.total > host.minimum ? #" class="warn""# : "")><td>\(escape(host.host))</td><td class=\"num\">\(NumberText.grouped(host.total))</td><td class=\"num\">\(NumberText.grouped(host.minimum))</td></tr>")
        }
        html += ["</tbody>", "</table>", "</details>"]
        return html.joined(separator: "\n")
    }

    /// A two-column figure table; rows flagged `true` are highlighted.
    static func table(_ title: String, _ rows: [(String, String, Bool)]) -> String {
        var html = ["<table>", "<caption>\(escape(title))</caption>", "<tbody>"]
        for (name, value, highlighted) in rows {
            html.append("<tr\(highlighted ? #" class="nonzero""# : "")><th>\(escape(name))</th><td class=\"num\">\(escape(value))</td></tr>")
        }
        html += ["</tbody>", "</table>"]
        return html.joined(separator: "\n")
    }

    /// The verdict as a coloured badge.
    static func badge(_ verdict: RunSummary.Verdict) -> String {
        verdict == .pass ? #"<span class="badge pass">PASS</span>"# : #"<span class="badge fail">FAIL</span>"#
    }

    /// Escapes text for HTML content and attributes.
    static func escape(_ text: String) -> String { MarkupText.escape(text) }

    /// The page's only style: system fonts, a light theme, highlighted faults; inline so the page needs nothing else.
    static let stylesheet = """
    :root { color-scheme: light; }
    body { margin: 0; background: #f6f7f9; color: #1b1f24; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
    main { max-width: 1480px; margin: 0 auto; padding: 16px 20px 40px; }
    h1 { font-size: 24px; margin: 8px 0 12px; }
    h2 { font-size: 20px; margin: 0 0 4px; }
    h3 { font-size: 17px; margin: 0 0 4px; }
    h4 { font-size: 14px; margin: 4px 0 6px; }
    .pass { color: #17692b; } .fail { color: #b3141b; }
    .badge { display: inline-block; padding: 1px 8px; border-radius: 4px; font-size: 13px; font-weight: 700; color: #fff; }
    .badge.pass { background: #1f883d; } .badge.fail { background: #cf222e; }
    section.scenario { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 14px 16px; margin: 18px 0; }
    .description, .meta, .muted { color: #57606a; }
    .meta { font-size: 12px; margin: 0; }
    .runs { display: grid; gap: 10px 18px; }
    .cell { min-width: 0; overflow-x: auto; border-top: 1px solid #eaeef2; padding-top: 8px; }
    .scroll { overflow-x: auto; }
    .tables { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: flex-start; }
    table { border-collapse: collapse; font-size: 13px; margin: 4px 0; }
    caption { text-align: left; font-weight: 600; padding: 2px 0; }
    th, td { border: 1px solid #d0d7de; padding: 2px 8px; text-align: left; vertical-align: top; }
    thead th { background: #f0f2f4; }
    tbody th { font-weight: normal; background: #fafbfc; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    td.wrap { overflow-wrap: anywhere; min-width: 12em; }
    details summary { cursor: pointer; font-weight: 700; margin: 4px 0; }
    table.overview { background: #fff; }
    tr.nonzero td, tr.nonzero th { background: #ffe8a3; font-weight: 700; }
    tr.bad td { background: #ffd7d5; } tr.warn td { background: #fff4d4; }
    ul.failed li { color: #b3141b; } ul.failed, ul.expected { margin: 4px 0; padding-left: 20px; }
    p.ok { color: #17692b; margin: 4px 0; } p.empty { color: #57606a; font-style: italic; }
    q.example { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; overflow-wrap: anywhere; }
    code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
    svg.chart { display: block; width: 100%; max-width: 760px; height: auto; }
    svg.chart text { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; }
    svg .grid { stroke: #e4e7eb; stroke-width: 1; }
    svg .axis { stroke: #57606a; stroke-width: 1; fill: none; }
    svg .tick, svg .legend { font-size: 11px; fill: #24292f; }
    svg .title { font-size: 12px; fill: #24292f; font-weight: 600; }
    """
}
