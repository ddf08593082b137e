import Foundation

extension ScenarioSpec {
    /// Reads, decodes and validates the scenario file at `path`.
    ///
    /// - Throws: ``ScenarioError`` naming `path`: one problem when the file is
    ///   missing or unreadable (saying what to do), else every problem in it.
    public static func load(contentsOf path: String) throws(ScenarioError) -> ScenarioSpec {
        let text: String
        switch readText(at: path) {
        case .success(let contents): text = contents
        case .failure(let error): throw error
        }
        return try decode(yaml: text, file: path)
    }

    /// The problems of each file in `paths` that cannot run, in the order given; empty when all can.
    ///
    /// Why a separate entry point: `flagstorm run --validate` checks a suite before
    /// anything runs and prints every problem of every file in one go.
    public static func validateFiles(_ paths: [String]) -> [ScenarioError] {
        paths.compactMap { path in
            do throws(ScenarioError) {
                _ = try load(contentsOf: path)
                return nil
            } catch {
                return error
            }
        }
    }

    /// The scenario files (`*.yaml`, `*.yml`) directly inside `directory`, sorted by name; empty when there are none or it cannot be listed.
    ///
    /// Why sorted: the default suite runs and reports in a stable order.
    public static func scenarioFiles(inDirectory directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { base + $0 }
    }

    /// The file's text, or a one-problem error that says what is wrong and what to do.
    ///
    /// - Parameter kind: what the file should be, for the wording (plans share this reader).
    static func readText(at path: String, kind: ScenarioError.Kind = .scenario) -> Result<String, ScenarioError> {
        func failure(_ message: String) -> Result<String, ScenarioError> {
            .failure(ScenarioError(file: path, problems: [.init(path: "", message: message)], kind: kind))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            let whereTheyLive = switch kind {
            case .scenario: "scenario files live in Scenarios/, `flagstorm list` shows them"
            case .plan: "plan files live in Scenarios/plans/"
            }
            return failure("no such file; check the path (\(whereTheyLive))")
        }
        if isDirectory.boolValue {
            return failure("is a directory, not a \(kind.rawValue) file; name the .yaml files in it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return failure("cannot be read; check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return failure("is not UTF-8 text; save it as UTF-8 YAML")
        }
        return .success(text)
    }
}
