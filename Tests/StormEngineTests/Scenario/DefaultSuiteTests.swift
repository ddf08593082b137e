import FeatureFlags
import Foundation
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

    @Test func everyShippedScenarioUnderScenariosValidatesIncludingItsThresholds() throws {
        // Recursively: the hunt, scale and sim folders are run by name, not by default, and must stay valid too.
        // Plan files (Scenarios/plans) are another format with no thresholds; PlanFilesTests reads them.
        let enumerator = try #require(FileManager.default.enumerator(atPath: Self.folder))
        let files = enumerator.compactMap { $0 as? String }
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix("plans/") }
            .sorted().map { Self.folder + "/" + $0 }
        #expect(files.count >= 20)
        let errors = ScenarioSpec.validateFiles(files)
        #expect(errors.isEmpty, "\(errors.map(\.description).joined(separator: "\n"))")
        var thresholds = 0
        for file in files {
            let spec = try ScenarioSpec.load(contentsOf: file)
            thresholds += spec.thresholds.seed.count + spec.thresholds.recommended.count + spec.thresholds.all.count
        }
        #expect(thresholds >= 40)
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
