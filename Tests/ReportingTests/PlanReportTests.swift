import Foundation
@testable import Reporting
import StormReport
import Testing

/// The capacity-plan report's renderers, from hand-made reports: golden files, the JSON round
/// trip and its errors, and the flags a reader must not miss (a disagreeing closed form, the
/// breaking points, the limit lines).
@Suite struct PlanReportTests {
    // MARK: Fixtures

    static let perHostLimit = 1.0
    static let globalLimit = 100.0

    /// A plan over 20 hosts, 24 hours of arrivals, with a per-host and a global limit; markup in its description.
    static func plan() -> PlanInfo {
        PlanInfo(name: "fleet-day", description: "A day of a fleet: <b>10 to 4,000</b> processes & one flag per host, a connection per host and process every 10 minutes.\nZipf-skewed hosts.",
                 file: "Scenarios/plans/fleet-day.yaml", seed: 7, durationNanoseconds: 86_400_000_000_000, hosts: 20, skew: "zipf 1.1",
                 processes: 10, arrivalRatePerSecond: 1.0 / 600, arrivals: "poisson, daily cycle trough 0.2 peak at 14h",
                 lifetime: "exponential 5m", ttlNanoseconds: 900_000_000_000, advertisedTTLSeconds: 900, latency: "20ms",
                 perHostLimit: "60/1m burst 60", globalLimit: "6000/1m burst 600", outages: [], deploys: ["at 10h, spread 30s"],
                 headroomMargin: 0.2, warmupNanoseconds: 1_800_000_000_000, telemetry: "export every 1m, flush on close")
    }

    static let environment = EnvironmentInfo(toolchain: "swift-6.3.1-RELEASE", cores: 2, allocator: "jemalloc 5.3.0",
                                             startedAt: "2026-11-27T00:00:00Z", build: "release")

    /// One point: load figures derived from the total and the peaks, headroom from the limits.
    static func point(_ policy: String, processes: Int, total: Int, perHostPeak: Double, globalPeak: Double, rateLimited: Int = 0,
                      answers: PlanAnswers? = nil, analytic: PlanAnalytic?, unavailable: String? = nil, breakReason: String? = nil,
                      extra: [PlanParameter] = [], exports: Int = 0, exportsRefused: Int = 0) -> PlanPoint {
        let globalMean = Double(total) / 86_400, hostMean = globalMean / 20
        let minute: Int64 = 60_000_000_000
        return PlanPoint(
            policy: policy, parameters: [PlanParameter(key: "processes", value: String(processes), numeric: Double(processes))] + extra,
            connections: 2_880 * processes,
            requests: PlanRequests(total: total, ok: total - rateLimited, rateLimited: rateLimited, failed: 0,
                                   telemetryExports: exports, telemetryExportsRefused: exportsRefused),
            global: PlanLoad(windowNanoseconds: minute, meanPerSecond: globalMean, p99PerSecond: globalMean * 1.8, peakPerSecond: globalPeak,
                             peakRequests: Int(globalPeak * 60), peakAtNanoseconds: 14 * 3_600_000_000_000 + 5 * minute, busiestHost: nil,
                             limitPerSecond: globalLimit, limitBurst: 600, headroom: 1 - globalPeak / globalLimit),
            perHost: PlanLoad(windowNanoseconds: minute, meanPerSecond: hostMean, p99PerSecond: hostMean * 2.2, peakPerSecond: perHostPeak,
                              peakRequests: Int(perHostPeak * 60), peakAtNanoseconds: 14 * 3_600_000_000_000, busiestHost: "ws-0001",
                              limitPerSecond: perHostLimit, limitBurst: 60, headroom: 1 - perHostPeak / perHostLimit),
            answers: answers ?? PlanAnswers(total: 2_880 * processes, wrong: 0, stale: 0, errors: 0, duringThrottling: 0),
            analytic: analytic, analyticUnavailable: unavailable, breaks: breakReason != nil, breakReason: breakReason,
            virtualSeconds: 86_700, wallSeconds: 0.5 * Double(processes).squareRoot())
    }

    static let seedModel = "seed: one request per connection, λ per host and process"
    static let recommendedModel = "recommended: M/G/∞ empty-to-busy rate λe^(−λh) per host and process"

    static func agreeing(_ model: String, expected: Double, simulated: Int) -> PlanAnalytic {
        PlanAnalytic(model: model, expectedRequests: expected, simulatedRequests: simulated,
                     difference: (Double(simulated) - expected) / expected, tolerance: 0.05, agrees: true)
    }

    /// Two policies × four fleet sizes: `seed` breaks at 100 processes, `recommended` at 4,000 (40× more);
    /// `recommended` at 100 disagrees with its closed form, and at 4,000 (throttled) has none.
    /// Figures hang together: means are total over a day, below the p99s, below the peaks.
    static func sweep() -> PlanReport {
        let points = [
            point("seed", processes: 10, total: 28_800, perHostPeak: 0.45, globalPeak: 2.1,
                  answers: PlanAnswers(total: 28_800, wrong: 288, stale: 0, errors: 0, duringThrottling: 0),
                  analytic: agreeing(seedModel, expected: 28_800, simulated: 28_800)),
            point("seed", processes: 100, total: 288_000, perHostPeak: 3.1, globalPeak: 21, rateLimited: 41_520,
                  answers: PlanAnswers(total: 288_000, wrong: 2_895, stale: 0, errors: 1_200, duringThrottling: 1_190),
                  analytic: agreeing(seedModel, expected: 288_000, simulated: 288_000),
                  breakReason: "41,520 answered 429; per-host peak 3.1 req/s over the limit 1 req/s",
                  exports: 14_400, exportsRefused: 2_100),
            point("seed", processes: 1000, total: 2_880_000, perHostPeak: 30.5, globalPeak: 92, rateLimited: 1_730_000,
                  analytic: agreeing(seedModel, expected: 2_880_000, simulated: 2_880_000),
                  breakReason: "1,730,000 answered 429; per-host peak 30.5 req/s over the limit 1 req/s"),
            point("seed", processes: 4000, total: 11_520_000, perHostPeak: 121, globalPeak: 370, rateLimited: 9_400_000,
                  analytic: agreeing(seedModel, expected: 11_520_000, simulated: 11_520_000),
                  breakReason: "9,400,000 answered 429; global peak 370 req/s over the limit 100 req/s"),
            point("recommended", processes: 10, total: 1_728, perHostPeak: 0.02, globalPeak: 0.12,
                  analytic: agreeing(recommendedModel, expected: 1_731.5, simulated: 1_728)),
            point("recommended", processes: 100, total: 17_280, perHostPeak: 0.083, globalPeak: 0.9,
                  analytic: PlanAnalytic(model: recommendedModel, expectedRequests: 13_292.3, simulatedRequests: 17_280,
                                         difference: 0.3, tolerance: 0.05, agrees: false)),
            point("recommended", processes: 1000, total: 172_800, perHostPeak: 0.72, globalPeak: 7.5,
                  analytic: agreeing(recommendedModel, expected: 171_100, simulated: 172_800)),
            point("recommended", processes: 4000, total: 691_200, perHostPeak: 2.9, globalPeak: 30, rateLimited: 3_400,
                  answers: PlanAnswers(total: 11_520_000, wrong: 0, stale: 3_100, errors: 0, duringThrottling: 3_100),
                  analytic: nil, unavailable: "throttled: 429s and Retry-After change when processes refetch, which the closed form does not model",
                  breakReason: "3,400 answered 429; per-host peak 2.9 req/s over the limit 1 req/s"),
        ]
        return PlanReport(
            plan: plan(), environment: environment,
            sweep: [PlanSweepAxis(key: "processes", values: ["10", "100", "1000", "4000"])], points: points,
            breakingPoints: [
                PlanBreakingPoint(policy: "seed", key: "processes", fixed: nil, lastFine: "10", firstBreaking: "100",
                                  reason: "41,520 answered 429; per-host peak 3.1 req/s over the limit 1 req/s"),
                PlanBreakingPoint(policy: "recommended", key: "processes", fixed: nil, lastFine: "1000", firstBreaking: "4000",
                                  reason: "3,400 answered 429; per-host peak 2.9 req/s over the limit 1 req/s"),
            ],
            wallSeconds: 41.7)
    }

    /// The same plan without a sweep: one point per policy at 10 processes, no breaking points.
    static func single() -> PlanReport {
        var report = sweep()
        report.sweep = []
        report.points = report.points.filter { $0.parameter("processes")?.value == "10" }.map { point in
            var point = point
            point.parameters = []
            // A day in 24 hourly buckets after a 30-minute warm-up: a daily cycle peaking at 14:00, a deploy storm at 10:00.
            let requests: [Int] = (0..<24).map { (hour: Int) -> Int in
                let phase: Double = Double(hour - 14) / 24 * 2 * Double.pi
                let cycle: Int = Int(400 * cos(phase))
                return 600 + cycle + (hour == 10 ? 900 : 0)
            }
            point.timeline = PlanTimeline(startNanoseconds: 1_800_000_000_000, bucketNanoseconds: 3_600_000_000_000,
                                          requests: requests, rateLimited: (0..<24).map { $0 == 10 ? 120 : 0 },
                                          telemetryExports: requests.map { $0 / 2 })
            return point
        }
        report.breakingPoints = []
        report.wallSeconds = 1.1
        return report
    }

    @Test func aPlanWithoutASweepChartsEachPointsLoadOverTime() throws {
        let html = PlanHTMLReport.render(Self.single())
        #expect(Self.occurrences(of: "<svg ", in: html) == 2)
        #expect(html.contains("Requests per second over time under seed"))
        #expect(html.contains("answered 429"))
        let decoded = try PlanJSONReport.decode(PlanJSONReport.encode(Self.single()))
        #expect(decoded.points.first?.timeline?.requests.count == 24)
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    // MARK: Golden files

    /// A report and the stem of its golden files.
    struct Case: Sendable, CustomTestStringConvertible {
        var golden: String
        var report: @Sendable () -> PlanReport
        var testDescription: String { golden }
    }

    static let cases = [Case(golden: "plan-sweep", report: sweep), Case(golden: "plan-single", report: single)]

    @Test(arguments: cases) func markdownMatchesItsGolden(_ plan: Case) throws {
        try GoldenFile.check(PlanMarkdownReport.render(plan.report()), matches: "\(plan.golden).md")
    }

    @Test(arguments: cases) func htmlMatchesItsGolden(_ plan: Case) throws {
        try GoldenFile.check(PlanHTMLReport.render(plan.report()), matches: "\(plan.golden).html")
    }

    @Test(arguments: cases) func consoleSummaryMatchesItsGolden(_ plan: Case) throws {
        try GoldenFile.check(PlanConsoleSummary.render(plan.report()) + "\n", matches: "\(plan.golden).console.txt")
    }

    @Test(arguments: cases) func jsonMatchesItsGolden(_ plan: Case) throws {
        try GoldenFile.check(String(decoding: PlanJSONReport.encode(plan.report()), as: UTF8.self), matches: "\(plan.golden).plan.json")
    }

    // MARK: JSON

    @Test(arguments: cases) func jsonRoundTripsToAnEqualReportAndTheSameBytes(_ plan: Case) throws {
        let report = plan.report()
        let data = try PlanJSONReport.encode(report)
        let decoded = try PlanJSONReport.decode(data)
        #expect(decoded == report)
        #expect(try PlanJSONReport.encode(decoded) == data)
        #expect(decoded.schema == "flagstorm.plan/1")
    }

    @Test func jsonUsesTheRunReportsKeysAndLayout() throws {
        let text = try String(decoding: PlanJSONReport.encode(Self.sweep()), as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"breakingPoints\" : ["))
        #expect(text.contains(#""duration_ns" : 86400000000000"#))
        #expect(text.contains(#""peakAt_ns" : "#))
        #expect(text.contains("Scenarios/plans/fleet-day.yaml"))  // slashes not escaped
    }

    /// The problem a decoding error states, or `decoded`; typed throws make `problem` reachable without a cast.
    static func problem(_ object: [String: Any]) -> String {
        problem(Data((try? JSONSerialization.data(withJSONObject: object)) ?? Data()))
    }

    static func problem(_ data: Data) -> String {
        do {
            _ = try PlanJSONReport.decode(data)
            return "decoded"
        } catch {
            return error.problem
        }
    }

    static func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: PlanJSONReport.encode(sweep())) as? [String: Any])
    }

    @Test func aMissingFieldIsNamedByItsPath() throws {
        var object = try Self.object()
        #expect(Self.problem(object) == "decoded")
        var points = try #require(object["points"] as? [[String: Any]])
        var requests = try #require(points[0]["requests"] as? [String: Any])
        requests.removeValue(forKey: "total")
        points[0]["requests"] = requests
        object["points"] = points
        #expect(Self.problem(object) == "field points[0].requests.total: missing")
    }

    @Test func aMistypedNestedFieldIsNamedByItsPath() throws {
        var object = try Self.object()
        var points = try #require(object["points"] as? [[String: Any]])
        var global = try #require(points[1]["global"] as? [String: Any])
        global["meanPerSecond"] = "fast"
        points[1]["global"] = global
        object["points"] = points
        #expect(Self.problem(object) == "field points[1].global.meanPerSecond: expected Double")

        var renamed = try Self.object()
        var plan = try #require(renamed["plan"] as? [String: Any])
        plan.removeValue(forKey: "duration_ns")
        renamed["plan"] = plan
        #expect(Self.problem(renamed) == "field plan.duration_ns: missing")
    }

    @Test func aWrongSchemaIsRejectedByName() throws {
        var object = try Self.object()
        object["schema"] = "flagstorm.plan/2"
        #expect(Self.problem(object).hasPrefix(#"report schema "flagstorm.plan/2" is not flagstorm.plan/1"#))
        object["schema"] = "flagstorm.run/1"
        #expect(Self.problem(object).hasPrefix(#"report schema "flagstorm.run/1" is a run report, not a plan report"#))
        object.removeValue(forKey: "schema")
        #expect(Self.problem(object) == #"no "schema" field: not a flagstorm plan report"#)
        #expect(Self.problem(Data("{not json".utf8)) == "not a JSON object")
    }

    @Test func aRunReportIsNotReadAsAPlan() throws {
        let run = try GoldenFile.fixtureData("edge-quiet.seed.json")
        #expect(Self.problem(run).hasPrefix(#"report schema "flagstorm.run/1" is a run report"#))
    }

    // MARK: Markdown

    @Test func markdownFlagsTheDisagreementInItsRowAndAtTheTop() throws {
        let markdown = PlanMarkdownReport.render(Self.sweep())
        let row = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("| recommended | 100 |") })
        #expect(row.contains("**DISAGREES — model or engine bug**: expected 13,292, simulated 17,280 flag fetches (+30 %, tolerance 5 %)"))
        #expect(markdown.contains("**The closed form DISAGREES — model or engine bug at 1 of 8 points:** recommended, processes 100."))
        #expect(Self.occurrences(of: "DISAGREES", in: markdown) == 2)
        // The unavailable cross-check says why, and agreeing ones carry a tick.
        #expect(markdown.contains("n/a: throttled: 429s and Retry-After change when processes refetch"))
        #expect(Self.occurrences(of: "| ✓ expected", in: markdown) == 6)
    }

    @Test func aReportThatAgreesRaisesNoFlag() {
        var report = Self.sweep()
        report.points[5].analytic?.agrees = true
        #expect(!report.hasDisagreement)
        #expect(!PlanMarkdownReport.render(report).contains("DISAGREES"))
        #expect(!PlanHTMLReport.render(report).contains("DISAGREES"))
        #expect(!PlanConsoleSummary.render(report).contains("DISAGREES"))
    }

    @Test func markdownStatesTheBreakingPointsAndHowFarApartThePoliciesAre() {
        let markdown = PlanMarkdownReport.render(Self.sweep())
        #expect(markdown.contains("| seed | processes 10 → 100 | 41,520 answered 429; per-host peak 3.1 req/s over the limit 1 req/s |"))
        #expect(markdown.contains("| recommended | processes 1000 → 4000 |"))
        #expect(markdown.contains("- recommended breaks at 40× the fleet size seed does (processes 4000 vs 100)"))
        // Units on the load figures, and an over-limit headroom said in words and in bold.
        #expect(markdown.contains("mean 0.0167, p99 0.0367, peak 0.45 req/s (ws-0001)"))
        #expect(markdown.contains("**1 req/s (burst 60): over, at 3.1× the limit**"))
        #expect(markdown.contains("**100 req/s (burst 600): 8 % headroom, under the 20 % margin**"))
    }

    @Test func aPolicyThatNeverBreaksOrBreaksAtOnceIsSaidSo() {
        var report = Self.sweep()
        report.breakingPoints = [
            PlanBreakingPoint(policy: "seed", key: "processes", fixed: nil, lastFine: nil, firstBreaking: "10", reason: "429s at once"),
            PlanBreakingPoint(policy: "recommended", key: "processes", fixed: nil, lastFine: "4000", firstBreaking: nil, reason: nil),
        ]
        let markdown = PlanMarkdownReport.render(report)
        #expect(markdown.contains("| seed | broke at the first value (processes 10) | 429s at once |"))
        #expect(markdown.contains("| recommended | never broke within the sweep (up to processes 4000) |  |"))
        #expect(markdown.contains("- recommended never broke within the sweep: it held at 400× the fleet size at which seed breaks (processes 4000 vs 10)"))
        #expect(!markdown.contains("breaks at 400×"))
    }

    @Test func withoutASweepThereAreNoBreakingPointsAndNoParameterColumns() {
        let markdown = PlanMarkdownReport.render(Self.single())
        #expect(markdown.contains("No sweep, so no breaking points (`--sweep` finds them)."))
        #expect(markdown.contains("| policy | requests | 429 |"))
        #expect(!markdown.contains("| processes |"))
    }

    @Test func markdownKeepsTableCellsIntact() {
        var report = Self.sweep()
        report.points[1].breakReason = "a | b\nc"
        let markdown = PlanMarkdownReport.render(report)
        #expect(markdown.contains(#"**yes**: a \| b c |"#))
    }

    // MARK: HTML

    @Test func htmlHasThreeChartsWithTheLimitsInRedAndTheBreakingPointsRinged() {
        let html = PlanHTMLReport.render(Self.sweep())
        #expect(Self.occurrences(of: "<svg ", in: html) == 3)
        #expect(Self.occurrences(of: "</svg>", in: html) == 3)
        // Both policies' first breaking values, ringed on each of the three charts.
        #expect(Self.occurrences(of: #"<circle class="mark""#, in: html) == 6)
        #expect(html.contains("<title>seed breaks at processes 100: 41,520 answered 429; per-host peak 3.1 req/s over the limit 1 req/s</title>"))
        #expect(html.contains("<title>recommended breaks at processes 4000: "))
        #expect(html.contains(">first breaking value</text>"))
        // The limits are red lines with their rate in the legend.
        #expect(html.contains(#"stroke="\#(HTMLReport.limitColor)" stroke-width="2"/>"#))
        #expect(html.contains(">per-host limit 1 req/s</text>"))
        #expect(html.contains(">global limit 100 req/s</text>"))
        // 10 to 4,000 processes spans more than 20×: a log x axis.
        #expect(Self.occurrences(of: ">processes (log scale)</text>", in: html) == 3)
    }

    @Test func htmlFlagsTheDisagreementAndEscapesText() {
        let html = PlanHTMLReport.render(Self.sweep())
        #expect(html.contains(#"<span class="badge fail">MODEL DISAGREES</span>"#))
        #expect(html.contains(#"<b class="fail">DISAGREES — model or engine bug</b>: expected 13,292"#))
        #expect(Self.occurrences(of: #"<tr class="bad">"#, in: html) == 1)
        #expect(html.contains("A day of a fleet: &lt;b&gt;10 to 4,000&lt;/b&gt; processes &amp; one flag per host, a connection per host and process every 10 minutes. Zipf-skewed hosts."))
        #expect(!html.contains("<b>10 to"))
        #expect(html.contains("recommended breaks at 40× the fleet size seed does"))
    }

    @Test func htmlIsSelfContained() {
        for html in [PlanHTMLReport.render(Self.sweep()), PlanHTMLReport.render(Self.single())] {
            #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
            #expect(html.hasSuffix("</html>\n"))
            #expect(html.contains(HTMLReport.stylesheet))
            #expect(!html.contains("<script"))
            #expect(!html.contains("http://") && !html.contains("https://"))
        }
    }

    @Test func withoutASweepTheHTMLShowsFigureTablesAndNoSweepCharts() {
        let html = PlanHTMLReport.render(Self.single())
        #expect(!html.contains("Over the sweep"))
        #expect(html.contains(#"<section class="scenario" id="figures">"#))
        #expect(Self.occurrences(of: "<caption>Per host</caption>", in: html) == 2)
        #expect(!html.contains("<tr><th>why none</th>"))
        #expect(html.contains("<tr><th>peak</th><td class=\"num\">0.45 req/s</td></tr>"))
    }

    /// Two swept parameters: one line per policy and TTL, rings only on the breaking row's TTL, a linear axis under 20×.
    @Test func aSecondSweptParameterGivesALinePerValueAndRingsItsOwnBreakingPoint() {
        var report = Self.sweep()
        let ttls = [PlanParameter(key: "ttl", value: "5m", numeric: 300), PlanParameter(key: "ttl", value: "15m", numeric: 900)]
        report.sweep = [PlanSweepAxis(key: "processes", values: ["100", "1000"]), PlanSweepAxis(key: "ttl", values: ["5m", "15m"])]
        report.points = ["seed", "recommended"].flatMap { policy in
            [100, 1000].flatMap { processes in
                ttls.map { ttl in
                    Self.point(policy, processes: processes, total: processes * 1000, perHostPeak: Double(processes) / 100,
                               globalPeak: Double(processes) / 10, analytic: nil, unavailable: "none", extra: [ttl])
                }
            }
        }
        report.breakingPoints = [
            PlanBreakingPoint(policy: "seed", key: "processes", fixed: ttls[0], lastFine: nil, firstBreaking: "100", reason: "r1"),
            PlanBreakingPoint(policy: "seed", key: "processes", fixed: ttls[1], lastFine: "100", firstBreaking: "1000", reason: "r2"),
            PlanBreakingPoint(policy: "recommended", key: "processes", fixed: ttls[0], lastFine: "1000", firstBreaking: nil, reason: nil),
            PlanBreakingPoint(policy: "recommended", key: "processes", fixed: ttls[1], lastFine: "1000", firstBreaking: nil, reason: nil),
        ]
        let html = PlanHTMLReport.render(report)
        #expect(html.contains(">seed, ttl 5m</text>") && html.contains(">recommended, ttl 15m</text>"))
        #expect(Self.occurrences(of: #"<circle class="mark""#, in: html) == 2 * 3)
        #expect(html.contains("<title>seed, ttl 5m breaks at processes 100: r1</title>"))
        #expect(html.contains("<title>seed, ttl 15m breaks at processes 1000: r2</title>"))
        #expect(!html.contains("(log scale)</text>"))
        #expect(html.contains(">processes</text>"))
        let markdown = PlanMarkdownReport.render(report)
        #expect(markdown.contains("| policy | ttl | last fine → first breaking | what broke |"))
        #expect(markdown.contains("| seed | 15m | processes 100 → 1000 | r2 |"))
        // With a 15m TTL recommended held at 1000, the value seed breaks at, not past it: no claim.
        #expect(!markdown.contains("- with ttl 15m: recommended never broke"))
        #expect(markdown.contains("- with ttl 5m: recommended never broke within the sweep: it held at 10× the fleet size at which seed breaks (processes 1000 vs 100)"))
    }

    // MARK: Console

    @Test func theConsoleSummaryGivesEachPointsPeakAgainstItsLimitAndTheBreakingPoints() {
        let text = PlanConsoleSummary.render(Self.sweep())
        #expect(text.contains("seed, processes 100  BREAKS: 41,520 answered 429; per-host peak 3.1 req/s over the limit 1 req/s"))
        #expect(text.contains("  per host  peak 3.1 req/s (ws-0001) vs limit 1 req/s (burst 60): over, at 3.1× the limit"))
        #expect(text.contains("  global    peak 92 req/s vs limit 100 req/s (burst 600): 8 % headroom, under the 20 % margin"))
        #expect(text.contains("  analytic  DISAGREES — model or engine bug: expected 13,292"))
        #expect(text.contains("  recommended breaks at 40× the fleet size seed does (processes 4000 vs 100)"))
        #expect(!text.contains("\u{1B}["))  // no colour
    }

    // MARK: Wording

    @Test func numbersAreShortAndCarryTheirUnits() {
        #expect(PlanText.rate(0.016_666) == "0.0167 req/s")
        #expect(PlanText.rate(3.14159) == "3.14 req/s")
        #expect(PlanText.rate(61.24) == "61.2 req/s")
        #expect(PlanText.rate(1_880.4) == "1,880 req/s")
        #expect(PlanText.rate(0) == "0 req/s")
        #expect(PlanText.percent(0.009) == "0.9 %")
        #expect(PlanText.percent(-2.1) == "-210 %")
        let over = PlanLoad(windowNanoseconds: 1, meanPerSecond: 1, p99PerSecond: 1, peakPerSecond: 1.5, peakRequests: 1, peakAtNanoseconds: 0,
                            busiestHost: nil, limitPerSecond: 1, limitBurst: nil, headroom: -0.5)
        #expect(PlanText.headroom(over, margin: 0.2) == "over the limit by 50 %")
        #expect(PlanText.signedPercent(0.3) == "+30 %")
        #expect(PlanText.duration(nanoseconds: 86_400_000_000_000) == "24h")
        #expect(PlanText.duration(nanoseconds: 900_000_000_000) == "15m")
        #expect(PlanText.duration(nanoseconds: 2_500_000_000) == "2.5s")
        #expect(PlanText.offset(nanoseconds: 14 * 3_600_000_000_000 + 300_000_000_000) == "14h05m")
        #expect(PlanText.offset(nanoseconds: 86_400_000_000_000) == "24h")
        #expect(PlanText.count(1, "request") == "1 request")
        #expect(PlanText.times(40) == "40×")
        #expect(PlanText.times(2.5) == "2.5×")
    }
}
