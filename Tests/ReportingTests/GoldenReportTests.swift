import Foundation
import Reporting
import StormReport
import Testing

/// Every renderer, checked against golden files from fixed fixture reports.
@Suite struct GoldenReportTests {
    /// A set of reports rendered together, and the stem of its golden files.
    struct Case: Sendable, CustomTestStringConvertible {
        var golden: String
        var fixtures: [String]
        var testDescription: String { golden }

        func summaries() throws -> [RunSummary] { try fixtures.map(GoldenFile.fixture) }
    }

    /// A real `flagstorm run --policy both` of two scenarios, files in the order `report` reads a run folder.
    static let sampleRun = Case(golden: "sample-run", fixtures: [
        "many-hosts.recommended.json", "many-hosts.seed.json", "w07-outage-429.recommended.json", "w07-outage-429.seed.json",
    ])
    /// Hand-made reports: an older one (no timeline, no curves), an all-zero one and a failing one with extreme figures and markup in its text.
    static let edgeCases = Case(golden: "edge-cases", fixtures: ["edge-old-report.json", "edge-quiet.seed.json", "edge-failing.json"])
    /// A real run over 10,000 hosts (`Fixtures/hosts-10k.yaml`).
    static let tenThousandHosts = Case(golden: "hosts-10k", fixtures: ["hosts-10k.recommended.json"])
    static let cases = [sampleRun, edgeCases, tenThousandHosts]

    @Test(arguments: cases) func markdownMatchesItsGolden(_ reports: Case) throws {
        try GoldenFile.check(MarkdownReport.render(reports.summaries()), matches: "\(reports.golden).md")
    }

    @Test(arguments: cases) func htmlMatchesItsGolden(_ reports: Case) throws {
        try GoldenFile.check(HTMLReport.render(reports.summaries()), matches: "\(reports.golden).html")
    }

    @Test(arguments: cases) func junitMatchesItsGolden(_ reports: Case) throws {
        try GoldenFile.check(JUnitReport.render(reports.summaries()), matches: "\(reports.golden).junit.xml")
    }

    @Test(arguments: cases) func consoleSummaryMatchesItsGolden(_ reports: Case) throws {
        let text = try reports.summaries().map(ConsoleSummary.render).joined(separator: "\n\n") + "\n"
        try GoldenFile.check(text, matches: "\(reports.golden).console.txt")
    }

    @Test(arguments: edgeCases.fixtures) func jsonOfHandMadeReportsMatchesItsGolden(_ fixture: String) throws {
        let json = try String(decoding: JSONReport.encode(GoldenFile.fixture(fixture)), as: UTF8.self)
        try GoldenFile.check(json, matches: fixture.replacingOccurrences(of: ".json", with: ".report.json"))
    }

    /// The engine wrote these reports with ``JSONReport``: decoding and encoding again must give back the same bytes (nothing lost or reordered).
    @Test(arguments: sampleRun.fixtures + tenThousandHosts.fixtures + ["rerun/w07-outage-429.seed.json", "rerun/w07-outage-429.recommended.json"])
    func jsonOfEngineReportsRoundTripsByteForByte(_ fixture: String) throws {
        let original = try GoldenFile.fixtureData(fixture)
        let encoded = try JSONReport.encode(JSONReport.decode(original))
        #expect(encoded == original, "\(fixture): \(GoldenFile.firstDifference(expected: String(decoding: original, as: UTF8.self), actual: String(decoding: encoded, as: UTF8.self)))")
    }

    /// The sample run as baseline against a second real run of W7, the failing hand-made report against the older one, and the 10,000-host run without a baseline.
    static func comparison() throws -> BaselineComparison.Result {
        let baseline = try ["w07-outage-429.seed.json", "w07-outage-429.recommended.json", "edge-old-report.json"].map(GoldenFile.fixture)
        let current = try ["rerun/w07-outage-429.seed.json", "rerun/w07-outage-429.recommended.json", "edge-failing.json", "hosts-10k.recommended.json"]
            .map(GoldenFile.fixture)
        return BaselineComparison.compare(baseline: baseline, current: current, minimumRepeats: 1)
    }

    @Test func baselineComparisonTextMatchesItsGolden() throws {
        try GoldenFile.check(BaselineComparison.renderText(Self.comparison()) + "\n", matches: "comparison.txt")
    }

    @Test func baselineComparisonMarkdownMatchesItsGolden() throws {
        try GoldenFile.check(BaselineComparison.renderMarkdown(Self.comparison()), matches: "comparison.md")
    }

    @Test func tenThousandHostReportsStayUnderOneMebibyte() throws {
        let summaries = try Self.tenThousandHosts.summaries()
        #expect(summaries.first?.connections.hosts == 10_000)
        #expect(MarkdownReport.render(summaries).utf8.count < 1 << 20)
        #expect(HTMLReport.render(summaries).utf8.count < 1 << 20)
    }

    @Test func aMismatchNamesTheFirstDifferingLine() {
        let message = GoldenFile.firstDifference(expected: "a\nb\nc", actual: "a\nB\nc")
        #expect(message.hasPrefix("first difference at line 2, column 1"))
        #expect(message.contains("golden:   b"))
        #expect(GoldenFile.firstDifference(expected: "a", actual: "a\nextra").contains("line 2"))
    }
}
