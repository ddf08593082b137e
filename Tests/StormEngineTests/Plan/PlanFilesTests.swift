import FeatureFlags
import Foundation
@testable import StormEngine
import StormReport
import Testing

/// The plan files in `Scenarios/plans/`: each decodes, and the three written to have a closed form
/// agree with it within 5 % under every policy they name.
@Suite struct PlanFilesTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios/plans")

    static func plan(_ name: String) throws -> PlanSpec {
        try PlanSpec.load(contentsOf: folder.appendingPathComponent("\(name).yaml").path)
    }

    @Test func everyPlanFileDecodes() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".yaml") }
        #expect(names.count >= 6)
        for name in names {
            let plan = try PlanSpec.load(contentsOf: Self.folder.appendingPathComponent(name).path)
            #expect("\(plan.name).yaml" == name)
        }
    }

    @Test(.disabled(if: ThreadSanitizerRun.isActive, ThreadSanitizerRun.reason),
          arguments: ["closed-form-seed", "closed-form-recommended", "closed-form-zipf-fleet"])
    func closedFormPlanAgreesWithTheSimulation(name: String) async throws {
        let plan = try Self.plan(name)
        for policy in plan.policies {
            #expect(PlanClosedForm.unavailableReason(plan, policy: policy) == nil)
            let point = try await PlanRunner.runPoint(plan, policy: policy, parameters: [])
            let analytic = try #require(point.analytic, "\(name) \(policy): \(point.analyticUnavailable ?? "")")
            #expect(abs(analytic.difference) < 0.05,
                    "\(name) \(policy): simulated \(analytic.simulatedRequests), expected \(analytic.expectedRequests)")
            #expect(analytic.agrees)
        }
    }
}
