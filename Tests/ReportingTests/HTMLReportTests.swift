import Foundation
@testable import Reporting
import StormReport
import Testing

@Suite struct HTMLReportTests {
    static func sampleRun() throws -> [RunSummary] { try GoldenReportTests.sampleRun.summaries() }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func thePageIsSelfContainedWithoutScriptsOrRemoteAssets() throws {
        let html = try HTMLReport.render(Self.sampleRun() + GoldenReportTests.edgeCases.summaries())
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.contains("url("))
        #expect(!html.contains("@import"))
        #expect(!html.contains("@font-face"))
    }

    @Test func aJournalCappedBelowTheRequestCountIsSaidUnderTheFetchCharts() throws {
        var run = try #require(try Self.sampleRun().first)
        #expect(!HTMLReport.render([run]).contains("journalled only"))
        run.fetches.total += 5_000
        let html = HTMLReport.render([run])
        #expect(Self.occurrences(of: "The server journalled only the first", in: html) == 2)
    }

    @Test func everyRunHasItsSevenChartsAndCurvesForEveryOperation() throws {
        let runs = try Self.sampleRun()
        let html = HTMLReport.render(runs)
        // Latency, busiest hosts, all fetches, two contention bar charts, live connections, live clients.
        #expect(Self.occurrences(of: "<svg ", in: html) == 7 * runs.count)
        #expect(Self.occurrences(of: "<svg ", in: html) == Self.occurrences(of: "</svg>", in: html))
        // Five operations with curves in each of four runs.
        #expect(Self.occurrences(of: #"stroke-width="1.6" points="#, in: html) >= 4 * 5)
        #expect(html.contains(">99.9 %</text>"))
        #expect(html.contains(">max</text>"))
    }

    @Test func bothPoliciesOfAScenarioStandSideBySideSeedFirst() throws {
        let html = HTMLReport.render(try Self.sampleRun())
        #expect(Self.occurrences(of: "grid-template-columns: repeat(2, minmax(0, 1fr))", in: html) == 2)
        let section = try #require(html.range(of: #"<section class="scenario" id="scenario-1">"#))
        let rest = html[section.upperBound...]
        let seed = try #require(rest.range(of: "<h3>seed "))
        let recommended = try #require(rest.range(of: "<h3>recommended "))
        #expect(seed.lowerBound < recommended.lowerBound)
    }

    @Test func theRateLimitIsARedLineAndTheMinimumIsDashed() throws {
        let w07 = try ["w07-outage-429.seed.json"].map(GoldenFile.fixture)
        let html = HTMLReport.render(w07)
        #expect(html.contains("per-host limit 20/s"))
        #expect(html.contains(#"stroke="\#(HTMLReport.limitColor)" stroke-width="2"/>"#))
        #expect(html.contains(#"stroke-dasharray="5 3" points="#))
    }

    @Test func textFromReportsIsEscaped() throws {
        let html = HTMLReport.render(try GoldenReportTests.edgeCases.summaries())
        #expect(html.contains("edge-cases &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"))
        #expect(html.contains("check returned &lt;false&gt; &amp; &quot;more&quot; | again"))
        #expect(html.contains("&lt;script&gt;alert(&apos;retry&apos;)&lt;/script&gt;"))
        #expect(html.contains("lock &lt;&amp;&gt; &quot;quoted&quot;"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<false>"))
        #expect(!html.contains("<b>not bold</b>"))
    }

    @Test func failuresLeadWithTheObservedValueAndTheExample() throws {
        let html = HTMLReport.render([try GoldenFile.fixture("edge-failing.json")])
        #expect(html.contains("<h1>FlagStorm: <span class=\"fail\">FAIL (1 of 1 runs)</span></h1>"))
        #expect(html.contains("<li>threshold <code>answers.wrong == 0</code>: observed <b>7</b> — observed 7, needed == 0</li>"))
        #expect(html.contains("invariant <b>answersMatchTruth</b>: 7 violation(s), e.g. <q class=\"example\">host-1: check returned"))
        // Non-zero leak figures are highlighted.
        #expect(html.contains(#"<tr class="nonzero"><th>leases outstanding</th><td class="num">3</td></tr>"#))
    }

    @Test func olderReportsAndEmptyDataRenderNotesInsteadOfCharts() throws {
        var empty = try GoldenFile.fixture("edge-quiet.seed.json")
        empty.timeline = RunTimeline(bucketNanoseconds: 100_000_000)
        let html = HTMLReport.render([try GoldenFile.fixture("edge-old-report.json"), empty, try GoldenFile.fixture("edge-quiet.seed.json")])
        #expect(html.contains("No timeline in this report (written before timelines were recorded)."))
        #expect(html.contains("The timeline is empty (no bucket was recorded)."))
        #expect(html.contains("No latency percentile curves in this report"))
        #expect(html.contains("No host fetched in this run."))
        #expect(HTMLReport.render([]).contains("No runs in this report."))
    }

    @Test func extremeValuesGiveFiniteCoordinates() throws {
        let html = HTMLReport.render([try GoldenFile.fixture("edge-failing.json")])
        #expect(!html.contains("nan"))
        #expect(!html.contains("∞"))
        #expect(!html.contains("=\"-"))
        #expect(html.contains("per-host limit 5/s"))
    }

    @Test func aSingleBucketIsDrawnAcrossThePlot() throws {
        let summary = try GoldenFile.fixture("edge-failing.json")
        let timeline = try #require(summary.timeline)
        let points = HTMLReport.steps(timeline.fetches, timeline, perSecond: true)
        #expect(points.count == 2)
        #expect(points.first?.x == 0)
        #expect(points.last?.x == 1)
    }

    @Test func longTimelinesMergeIntoBoundedColumnsKeepingRatesAndPeaks() {
        let timeline = RunTimeline(bucketNanoseconds: 10_000_000)
        let counts = (0..<12_000).map { $0 % 2 }  // one fetch every other 10 ms bucket: 50 per second
        let rates = HTMLReport.steps(counts, timeline, perSecond: true)
        #expect(rates.count == 2)
        #expect(rates.allSatisfy { abs($0.y - 50) < 1e-9 })
        let peaks = HTMLReport.steps(counts, timeline, perSecond: false)
        #expect(peaks.allSatisfy { $0.y == 1 })
    }

    @Test func scalesNeverCollapse() {
        let zeros = ChartScale.linear(upTo: 0)
        #expect(zeros.lower == 0 && zeros.upper == 1)
        let single = ChartScale.logarithmic(from: 1_000, to: 1_000, label: NumberText.durationTick)
        #expect(single.lower == 1_000 && single.upper == 10_000)
        #expect(single.ticks.map(\.label) == ["1 µs", "10 µs"])
        let huge = ChartScale.linear(upTo: Double(Int64.max))
        #expect(huge.upper >= Double(Int64.max) && huge.ticks.count <= 6)
        #expect(ChartScale.linear(upTo: 7, integral: true).ticks.map(\.label) == ["0", "2", "4", "6", "8"])
        #expect(NumberText.fixed(0.1 + 0.2, 1) == "0.3")
        #expect(NumberText.grouped(-1_234_567) == "-1,234,567")
        #expect(NumberText.compact(2_500) == "2.5k")
    }

    @Test func percentileAxisFollowsHdrHistogramsLogScale() {
        #expect(abs(HTMLReport.percentileX(90) - 1) < 1e-9)
        #expect(abs(HTMLReport.percentileX(99.9) - 3) < 1e-9)
        #expect(HTMLReport.percentileLabel(decades: 1) == "90 %")
        #expect(HTMLReport.percentileLabel(decades: 4) == "99.99 %")
    }
}
