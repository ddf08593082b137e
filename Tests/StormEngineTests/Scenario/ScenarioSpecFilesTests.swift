import Foundation
import StormEngine
import Testing

@Suite struct ScenarioSpecFilesTests {
    /// A fresh directory for one test's files.
    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "scenario-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func missingFileIsOneProblemNamingThePathAndWhatToDo() {
        do throws(ScenarioError) {
            _ = try ScenarioSpec.load(contentsOf: "/nonexistent/cold-herd.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/nonexistent/cold-herd.yaml")
            #expect(error.problems.count == 1)
            #expect(error.description.hasPrefix("/nonexistent/cold-herd.yaml: no such file; check the path"))
        }
    }

    @Test func directoryIsNotAScenarioFile() throws {
        let directory = try temporaryDirectory()
        #expect(throws: ScenarioError(file: directory, problems: [.init(
            path: "", message: "is a directory, not a scenario file; name the .yaml files in it")])) {
            try ScenarioSpec.load(contentsOf: directory)
        }
    }

    @Test func fileLoadsAndDecodes() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/ok.yaml"
        try fullScenario.write(toFile: path, atomically: true, encoding: .utf8)
        let spec = try ScenarioSpec.load(contentsOf: path)
        #expect(spec.name == "cold-herd")
    }

    @Test func validateFilesReportsOnlyTheBadFilesInOrder() throws {
        let directory = try temporaryDirectory()
        let good = directory + "/good.yaml", bad = directory + "/bad.yaml", missing = directory + "/missing.yaml"
        try fullScenario.write(toFile: good, atomically: true, encoding: .utf8)
        try "name: bad\ndescription: x\nload: {executor: burst, connections: 0}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let errors = ScenarioSpec.validateFiles([good, bad, missing])
        #expect(errors.map(\.file) == [bad, missing])
        #expect(errors.first?.description == "\(bad): load.connections: must be > 0")
    }

    @Test func scenarioFilesListsYAMLFilesSortedByName() throws {
        let directory = try temporaryDirectory()
        for name in ["b.yaml", "a.yml", "notes.md", "c.yaml"] {
            try "x".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        #expect(ScenarioSpec.scenarioFiles(inDirectory: directory) == ["a.yml", "b.yaml", "c.yaml"].map { directory + "/" + $0 })
        #expect(ScenarioSpec.scenarioFiles(inDirectory: directory + "/missing").isEmpty)
    }
}
