import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Reporting
import StormReport
import Testing

@Suite struct ReportRendererTests {
    static func summary(policy: String = "recommended", failing: Bool) -> RunSummary {
        var summary = RunSummary(
            scenario: ScenarioInfo(name: "w04-double-release", file: nil, mode: "realtime", policy: policy, seed: 4,
                                   description: "A double release | and more"),
            environment: EnvironmentInfo(toolchain: "t", cores: 2, allocator: "jemalloc 5.3.0", startedAt: "now"),
            durationNanoseconds: 400_000_000,
            connections: ConnectionCounts(opened: 200, closed: 200, peakConcurrent: 200, hosts: 1),
            fetches: FetchCounts(total: 3, minimum: 1, byHost: (0..<20).map { HostFetches(host: "host-\($0)", total: 3, minimum: 1) }),
            answers: AnswerCounts(total: 100, wrong: failing ? 7 : 0),
            latency: [:], contention: [:], lifecycle: LifecycleCounts(), leaks: LeakFigures(),
            invariants: [InvariantResult(name: "answersMatchTruth", violations: failing ? 7 : 0,
                                         example: failing ? "check returned <false> & \"more\" | again" : nil, gating: policy == "recommended")],
            thresholds: [ThresholdResult(expression: "answers.wrong == 0", ok: !failing, value: failing ? 7 : 0,
                                         message: failing ? "observed 7, needed == 0" : nil)],
            verdict: failing && policy == "recommended" ? .fail : .pass)
        if policy == "seed" { summary.thresholds = [] }
        return summary
    }

    @Test func junitHasOneCasePerThresholdAndInvariantAndFailsTheGatingOnes() {
        let xml = JUnitReport.render([Self.summary(failing: true)])
        #expect(xml.contains(#"<testsuites name="flagstorm: FAIL (1 of 1 runs)" tests="2" failures="2">"#))
        #expect(xml.contains(#"<testcase classname="w04-double-release [recommended].thresholds" name="answers.wrong == 0">"#))
        #expect(xml.contains(#"<failure type="threshold" message="observed 7, needed == 0">"#))
        // Example text is escaped for XML.
        #expect(xml.contains("check returned &lt;false&gt; &amp; &quot;more&quot;"))
        #expect(!xml.contains("<false>"))
    }

    @Test func junitReportsNonGatingInvariantsAsOutputNotFailures() {
        let xml = JUnitReport.render([Self.summary(policy: "seed", failing: true)])
        #expect(xml.contains(#"failures="0""#))
        #expect(xml.contains("<system-out>expected under this policy: 7 violation(s)"))
        #expect(!xml.contains("<failure"))
    }

    @Test func junitParsesAsXML() throws {
        let xml = JUnitReport.render([Self.summary(failing: true), Self.summary(policy: "seed", failing: true)])
        let document = try XMLDocument(xmlString: xml)
        #expect(try document.nodes(forXPath: "//testcase").count == 3)
        #expect(try document.nodes(forXPath: "//failure").count == 2)
    }

    @Test func markdownLeadsWithTheVerdictAndNamesWhatFailed() {
        let markdown = MarkdownReport.render([Self.summary(failing: true), Self.summary(failing: false)])
        #expect(markdown.hasPrefix("# FlagStorm: FAIL (1 of 2 runs)"))
        #expect(markdown.contains("| w04-double-release | recommended | **fail** |"))
        #expect(markdown.contains("answers.wrong == 0 (observed 7); answersMatchTruth: 7"))
        #expect(markdown.contains("| `answers.wrong == 0` | 7 | ✗ observed 7, needed == 0 |"))
    }

    @Test func markdownEscapesTableCellsAndStaysSmall() {
        let runs = (0..<30).map { _ in Self.summary(failing: true) }
        let markdown = MarkdownReport.render(runs)
        // Table cells escape pipes; the description is a paragraph and stays as written.
        #expect(markdown.contains("| answersMatchTruth | 7 | yes | check returned <false> & \"more\" \\| again |"))
        #expect(markdown.contains("\nA double release | and more\n"))
        // 30 runs with 20 hosts each: top hosts only, nowhere near a CI summary's 1 MiB cap.
        #expect(markdown.utf8.count < 64 * 1024)
        #expect(!markdown.contains("host-5 "))
    }

    /// The summary with a harness that offered `achievedChecks` of 10,000,000 checks and every open.
    static func summary(achievedChecks: Int) -> RunSummary {
        var summary = Self.summary(failing: false)
        summary.harness = HarnessDelivery(intendedOpens: 2_000, achievedOpens: 2_000, intendedChecks: 10_000_000,
                                          achievedChecks: achievedChecks, requiredFraction: 0.95)
        return summary
    }

    @Test func consoleShowsOfferedAgainstIntendedAlwaysWhenTheReportHasIt() {
        let short = ConsoleSummary.render(Self.summary(achievedChecks: 2_060_114))
        #expect(short.contains("  offered      checks 2.06M of 10M (20.6 %)  opens 2,000 of 2,000 (100 %)"))
        let keptUp = ConsoleSummary.render(Self.summary(achievedChecks: 9_999_000))
        // Rounded down: 99.99 % is not shown as 100 %.
        #expect(keptUp.contains("  offered      checks 10M of 10M (99.9 %)"))
        #expect(!ConsoleSummary.render(Self.summary(failing: false)).contains("offered"))
    }

    @Test func markdownAndHTMLShowTheDeliveryInTheFigureTablesAndFlagAShortfall() {
        let markdown = MarkdownReport.render([Self.summary(achievedChecks: 2_060_114)])
        #expect(markdown.contains("| offered (achieved of intended) | checks 2,060,114 of 10,000,000 (20.6 %), opens 2,000 of 2,000 (100 %) |"))
        let html = HTMLReport.render([Self.summary(achievedChecks: 2_060_114)])
        #expect(html.contains(#"<tr class="nonzero"><th>checks offered (of intended)</th><td class="num">2,060,114 of 10,000,000 (20.6 %)</td></tr>"#))
        #expect(html.contains(#"<tr><th>opens offered (of intended)</th><td class="num">2,000 of 2,000 (100 %)</td></tr>"#))
        let old = Self.summary(failing: false)
        #expect(!MarkdownReport.render([old]).contains("offered"))
        #expect(!HTMLReport.render([old]).contains("offered"))
    }
}

extension ReportRendererTests {
    @Test func observedValuesAreShownInTheUnitTheThresholdWasWrittenIn() {
        var summary = Self.summary(failing: true)
        summary.thresholds = [ThresholdResult(expression: "latency.isEnabled.p99_ns < 5ms", ok: false, value: 7_200_000,
                                              message: "observed 7.2ms, needed < 5ms")]
        #expect(ConsoleSummary.render(summary).contains("✗ latency.isEnabled.p99_ns < 5ms (observed 7.2ms): observed 7.2ms, needed < 5ms"))
        let markdown = MarkdownReport.render([summary])
        #expect(markdown.contains("| `latency.isEnabled.p99_ns < 5ms` | 7.2ms | ✗ observed 7.2ms, needed < 5ms |"))
        #expect(markdown.contains("latency.isEnabled.p99_ns < 5ms (observed 7.2ms)"))
        #expect(HTMLReport.render([summary]).contains("observed <b>7.2ms</b>"))
    }
}
