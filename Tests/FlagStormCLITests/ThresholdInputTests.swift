import Foundation
import Testing

/// Thresholds, tolerances and shard counts that cannot be judged are bad input (64) before anything runs,
/// every problem at once.
@Suite struct ThresholdInputTests {
    static let badThresholds = """
        name: cli-bad-thresholds
        description: Three thresholds that cannot be judged.
        policy: recommended
        hosts: {count: 1}
        load: {executor: burst, connections: 1}
        thresholds:
          recommended: ["answers.wrng == 0", "fetches.total = 1", "latency.isEnabled.p99_ns < 5MiB"]
        """

    @Test(arguments: ["run", "list"])
    func aFileWithBadThresholdsExits64NamingEachBeforeAnythingRuns(command: String) throws {
        let work = try FlagStormProcess.temporaryFolder("bad-thresholds")
        defer { try? FileManager.default.removeItem(at: work) }
        let file = work.appendingPathComponent("bad.yaml")
        try Self.badThresholds.write(to: file, atomically: true, encoding: .utf8)
        let out = work.appendingPathComponent("runs")
        let arguments = command == "run" ? ["run", file.path, "--out", out.path, "--quiet"] : ["list", file.path]
        let result = try FlagStormProcess.run(arguments)
        #expect(result.status == 64, "\(result.output)\(result.errors)")
        let lines = result.errors.split(separator: "\n").map(String.init)
        #expect(lines == [
            "flagstorm: error: \(file.path): scenario cli-bad-thresholds: 3 problems",
            "\(file.path): thresholds.recommended[0]: \"answers.wrng == 0\": no such report field answers.wrng; did you mean answers.wrong?",
            "\(file.path): thresholds.recommended[1]: \"fetches.total = 1\": unknown operator =; did you mean ==? (operators: == != < <= > >=)",
            "\(file.path): thresholds.recommended[2]: \"latency.isEnabled.p99_ns < 5MiB\": 5MiB is a size in bytes, but latency.isEnabled.p99_ns is a duration: write a duration such as 5ms, 250us, 1.5s (units ns us µs μs ms s m h) or plain nanoseconds",
        ])
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing may run, so no report folder")
    }

    @Test func everyScenarioWithFewerHostsThanShardsIsNamedAtOnce() throws {
        let work = try FlagStormProcess.temporaryFolder("shards")
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try FlagStormProcess.run(["run", "Scenarios/w01-cold-herd.yaml", "Scenarios/w02-churn.yaml",
                                               "Scenarios/many-hosts.yaml", "--shard", "1/3", "--out", work.path, "--quiet"])
        #expect(result.status == 64, "\(result.output)\(result.errors)")
        #expect(result.errors.contains("Scenarios/w01-cold-herd.yaml: --shard 1/3: scenario w01-cold-herd has 1 host(s)"))
        #expect(result.errors.contains("Scenarios/w02-churn.yaml: --shard 1/3: scenario w02-churn has 1 host(s)"))
        #expect(!result.errors.contains("many-hosts"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty)
    }

    @Test func aToleranceForAMetricCompareDoesNotJudgeOrNotFiniteIsRefused() throws {
        let baselines = FlagStormProcess.packageRoot.appendingPathComponent("Reports/baselines").path
        let result = try FlagStormProcess.run(["compare", baselines, baselines,
                                               "--metric-tolerance", "latency.bogus.p99_ns=2.0",
                                               "--metric-tolerance", "latency.fetch.p99_ns=inf"])
        #expect(result.status == 64, "\(result.output)\(result.errors)")
        #expect(result.errors.contains("--metric-tolerance latency.bogus.p99_ns=2.0: latency.bogus.p99_ns is not a metric compare judges with a tolerance; tolerances apply to latency.isEnabled.p50_ns"))
        #expect(result.errors.contains("--metric-tolerance latency.fetch.p99_ns=inf: must be a finite number >= 0"))
        let nan = try FlagStormProcess.run(["compare", baselines, baselines, "--tolerance", "nan"])
        #expect(nan.status == 64)
        #expect(nan.errors.contains("--tolerance: must be a finite number >= 0"))
    }
}
