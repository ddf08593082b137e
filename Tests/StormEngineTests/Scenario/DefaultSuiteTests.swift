import FeatureFlags
@testable import StormEngine
import Testing

/// The default suite in `Scenarios/` is what `flagstorm run` runs: every file
/// must load, and together they must cover W1–W10 plus the scale and leak runs.
@Suite struct DefaultSuiteTests {
    static let folder: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)  // Tests/StormEngineTests/Scenario/DefaultSuiteTests.swift
        return parts.joined(separator: "/") + "/Scenarios"
    }()

    @Test func everyScenarioFileLoads() {
        let files = ScenarioSpec.scenarioFiles(inDirectory: Self.folder)
        #expect(files.count >= 12)
        let errors = ScenarioSpec.validateFiles(files)
        #expect(errors.isEmpty, "\(errors.map(\.description).joined(separator: "\n"))")
    }

    @Test func theSuiteCoversEveryWeaknessAndCarriesRecommendedThresholds() throws {
        let specs = try ScenarioSpec.scenarioFiles(inDirectory: Self.folder).map { path throws(ScenarioError) in
            try ScenarioSpec.load(contentsOf: path)
        }
        for weakness in 1...10 {
            #expect(specs.contains { $0.name.hasPrefix(String(format: "w%02d-", weakness)) }, "W\(weakness)")
        }
        for spec in specs {
            #expect(!spec.thresholds(for: .recommended).isEmpty, "\(spec.name) has no thresholds for recommended")
            #expect(spec.policies == [.seed, .recommended], "\(spec.name)")
        }
    }
}
