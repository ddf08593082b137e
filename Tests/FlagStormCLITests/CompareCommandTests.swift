import Foundation
import Testing

/// `compare` judges latencies only from enough repeats; one repeat is refused with what to run.
@Suite struct CompareCommandTests {
    @Test func oneCurrentRepeatIsRefusedForLatenciesAndComparedForCounts() throws {
        let current = try FlagStormProcess.temporaryFolder("compare")
        defer { try? FileManager.default.removeItem(at: current) }
        let baselines = FlagStormProcess.packageRoot.appendingPathComponent("Reports/baselines")
        try FileManager.default.copyItem(at: baselines.appendingPathComponent("w04-double-release.recommended.repeat1.json"),
                                         to: current.appendingPathComponent("w04-double-release.recommended.json"))
        let refused = try FlagStormProcess.run(["compare", baselines.path, current.path])
        #expect(refused.status == 64)
        #expect(refused.errors.contains("has 1 current repeat"))
        #expect(refused.errors.contains("run with --repeat 3"))
        #expect(refused.errors.contains("--counts-only"))
        #expect(refused.errors.split(separator: "\n").count == 1)

        let counts = try FlagStormProcess.run(["compare", baselines.path, current.path, "--counts-only"])
        #expect(counts.status == 0, "\(counts.output)\(counts.errors)")
        #expect(counts.output.contains("No regression."))
        #expect(counts.output.contains("not judged: --counts-only"))
    }
}
