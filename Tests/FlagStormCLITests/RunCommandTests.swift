import Foundation
import Testing

/// `run`: one verdict in the exit code and every artifact, a folder of its own per run, and an honest partial
/// report when interrupted.
@Suite struct RunCommandTests {
    /// A scenario that runs for a minute (one connection on one host): long enough to be interrupted mid-run.
    static let longScenario = """
        name: cli-long-run
        description: One connection that lives for a minute, to be interrupted.
        policy: recommended
        seed: 1
        hosts: {count: 1}
        load: {executor: burst, connections: 1}
        connection: {lifetime: 60s, checkInterval: 10ms}
        """

    /// The one folder `run` made in `out` (and fails the test when there is not exactly one).
    static func onlyRunFolder(in out: URL) throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0 != "latest" }
        try #require(names.count == 1, "\(names)")
        return out.appendingPathComponent(names[0])
    }

    static func text(_ file: URL) throws -> String { try String(contentsOf: file, encoding: .utf8) }

    @Test func aRegressionAgainstADoctoredBaselineShowsInEveryArtifact() throws {
        let work = try FlagStormProcess.temporaryFolder("doctored")
        defer { try? FileManager.default.removeItem(at: work) }
        // The committed baseline of w04, with one exactly compared count lowered below what the run will show.
        let baseline = work.appendingPathComponent("baseline")
        try FileManager.default.createDirectory(at: baseline, withIntermediateDirectories: true)
        let committed = FlagStormProcess.packageRoot.appendingPathComponent("Reports/baselines")
        for repeatNumber in 1...5 {
            let name = "w04-double-release.recommended.repeat\(repeatNumber).json"
            var report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: committed.appendingPathComponent(name))) as? [String: Any])
            var lifecycle = try #require(report["lifecycle"] as? [String: Any])
            lifecycle["peakClientsPerHost"] = 0
            report["lifecycle"] = lifecycle
            try JSONSerialization.data(withJSONObject: report).write(to: baseline.appendingPathComponent(name))
        }
        let out = work.appendingPathComponent("runs")
        let result = try FlagStormProcess.run(["run", "Scenarios/w04-double-release.yaml", "--policy", "recommended",
                                               "--baseline", baseline.path, "--out", out.path, "--quiet"])
        #expect(result.status == 2, "\(result.output)\(result.errors)")
        let folder = try Self.onlyRunFolder(in: out)
        let headline = "REGRESSION (1 metric against \(baseline.path))"

        let summary = try Self.text(folder.appendingPathComponent("summary.md"))
        #expect(summary.hasPrefix("# FlagStorm: \(headline)\n"))
        #expect(summary.contains("| w04-double-release | recommended | `lifecycle.peakClientsPerHost` | 0 | 1 | +1 | exact |"))

        let junit = try Self.text(folder.appendingPathComponent("junit.xml"))
        #expect(junit.contains(#"<testsuite name="baseline comparison against \#(baseline.path)""#))
        #expect(junit.contains(#"<failure type="regression" message="baseline 0, current 1, allowed exact">"#))
        #expect(junit.contains(#"<testsuites name="flagstorm: \#(headline)""#))

        let html = try Self.text(folder.appendingPathComponent("report.html"))
        #expect(html.contains(#"<h1>FlagStorm: <span class="fail">\#(headline)</span></h1>"#))
        #expect(html.contains("<td><code>lifecycle.peakClientsPerHost</code></td><td>0</td><td>1</td><td>+1</td><td>exact</td>"))

        let verdict = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("verdict.json"))) as? [String: Any])
        #expect(verdict["outcome"] as? String == "regression")
        #expect(verdict["exitCode"] as? Int == 2)
        #expect(result.output.contains("regressed: w04-double-release [recommended] lifecycle.peakClientsPerHost: baseline 0, current 1, allowed exact"))
        // One repeat: the artifacts say latencies were not judged, and why.
        #expect(summary.contains("latencies and lock waits not judged"))
        // The folder stays readable as a whole by the commands that take run folders (verdict.json is not a run report).
        let rendered = try FlagStormProcess.run(["report", folder.path, "--format", "md"])
        #expect(rendered.status == 0, "\(rendered.errors)")
        #expect(rendered.output.contains("| w04-double-release | recommended |"))
        let compared = try FlagStormProcess.run(["compare", baseline.path, folder.path, "--counts-only"])
        #expect(compared.status == 2, "\(compared.errors)")
    }

    @Test func twoRunsStartedTogetherGetFoldersOfTheirOwn() throws {
        let out = try FlagStormProcess.temporaryFolder("concurrent")
        defer { try? FileManager.default.removeItem(at: out) }
        let arguments = ["run", "Scenarios/w03-host-spellings.yaml", "--policy", "recommended", "--out", out.path, "--quiet"]
        let first = try FlagStormProcess.start(arguments), second = try FlagStormProcess.start(arguments)
        for (process, _, _) in [first, second] {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let folders = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0 != "latest" }
        #expect(folders.count == 2, "\(folders)")
        for folder in folders {
            let files = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent(folder).path)
            #expect(files.filter { $0.hasSuffix(".recommended.json") } == ["w03-host-spellings.recommended.json"])
        }
        // `latest` is a link to one of them.
        let latest = try FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("latest").path)
        #expect(folders.contains(latest))
    }

    @Test func anInterruptedRunWritesAMarkedPartialReportAndExits130() throws {
        let work = try FlagStormProcess.temporaryFolder("interrupt")
        defer { try? FileManager.default.removeItem(at: work) }
        let long = work.appendingPathComponent("long.yaml")
        try Self.longScenario.write(to: long, atomically: true, encoding: .utf8)
        let out = work.appendingPathComponent("runs")
        let (process, output, _) = try FlagStormProcess.start(
            ["run", "Scenarios/w03-host-spellings.yaml", long.path, "--policy", "recommended", "--out", out.path, "--quiet"])
        // Ready when the first scenario's summary has been printed (its JSON is written before the next starts).
        var printed = ""
        while !printed.contains("w03-host-spellings [recommended]"), process.isRunning {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let folder = try Self.onlyRunFolder(in: out)
        let summary = try Self.text(folder.appendingPathComponent("summary.md"))
        #expect(summary.hasPrefix("# FlagStorm: INTERRUPTED after 1 run (not finished: cli-long-run [recommended])\n"))
        let verdict = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("verdict.json"))) as? [String: Any])
        #expect(verdict["outcome"] as? String == "interrupted")
        #expect(verdict["exitCode"] as? Int == 130)
        #expect(try Self.text(folder.appendingPathComponent("junit.xml")).contains(#"<failure type="interrupted""#))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("w03-host-spellings.recommended.json").path))
        // `latest` points only at complete runs.
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("latest").path))
    }
}
