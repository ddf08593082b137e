import Foundation
import Reporting
import StormReport
import Testing

/// A report that cannot be read says why in one line, naming the field.
@Suite struct ReportDecodingTests {
    static func message(_ text: String) -> String {
        do {
            _ = try JSONReport.decode(Data(text.utf8))
            return "decoded"
        } catch {
            return "\(error)"
        }
    }

    static var valid: [String: Any] {
        let summary = RunSummary(
            scenario: ScenarioInfo(name: "s", file: nil, mode: "realtime", policy: "recommended", seed: 1),
            environment: EnvironmentInfo(toolchain: "t", cores: 2, allocator: "a", startedAt: "now"),
            durationNanoseconds: 1, connections: ConnectionCounts(), fetches: FetchCounts(), answers: AnswerCounts(),
            latency: [:], contention: [:], lifecycle: LifecycleCounts(), leaks: LeakFigures(), invariants: [],
            thresholds: [], verdict: .pass)
        let data = (try? JSONReport.encode(summary)) ?? Data()
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
    }

    static func text(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object)) ?? Data(), as: UTF8.self)
    }

    @Test func aValidReportDecodes() {
        #expect(Self.message(Self.text(Self.valid)) == "decoded")
    }

    @Test func notJSONAndNotAnObjectAreSaidPlainly() {
        #expect(Self.message("{not json") == "not a JSON object")
        #expect(Self.message("[1, 2]") == "not a JSON object")
        #expect(Self.message(#"{"name": "x"}"#) == #"no "schema" field: not a flagstorm run report"#)
    }

    @Test func anotherSchemaVersionIsNamed() {
        var object = Self.valid
        object["schema"] = "flagstorm.run/9"
        #expect(Self.message(Self.text(object)).hasPrefix(#"report schema "flagstorm.run/9" is not flagstorm.run/1"#))
    }

    @Test func aMissingOrMistypedFieldIsNamedByItsPath() {
        var missing = Self.valid
        var fetches = missing["fetches"] as? [String: Any] ?? [:]
        fetches.removeValue(forKey: "total")
        missing["fetches"] = fetches
        #expect(Self.message(Self.text(missing)) == "field fetches.total: missing")

        var mistyped = Self.valid
        var connections = mistyped["connections"] as? [String: Any] ?? [:]
        connections["opened"] = "many"
        mistyped["connections"] = connections
        #expect(Self.message(Self.text(mistyped)) == "field connections.opened: expected Int")
    }

    /// The committed baselines were written before the `harness` block existed: they must still decode, without one.
    @Test func committedBaselinesWithoutTheHarnessBlockStillDecode() throws {
        let baselines = GoldenFile.testsFolder.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reports/baselines")
        let files = try FileManager.default.contentsOfDirectory(atPath: baselines.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 10)
        for file in files {
            let data = try Data(contentsOf: baselines.appendingPathComponent(file))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let summary = try JSONReport.decode(data)
            if object["harness"] == nil {
                #expect(summary.harness == nil, "\(file)")
                #expect(!summary.invariants.contains { $0.name == "harnessKeptUp" }, "\(file)")
            }
        }
        #expect(try GoldenFile.fixture("edge-old-report.json").harness == nil)
    }
}
