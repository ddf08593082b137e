import Foundation
import StormEngine

/// The scenario files a command works on: the ones named, or the default suite.
enum ScenarioSelection {
    /// The default suite's folder, relative to the working directory.
    static let defaultFolder = "Scenarios"

    /// Loads `paths` (or every `*.yaml` in `Scenarios/`), reporting every problem of every file at once
    /// (a headline naming each broken file and scenario, then its problems, one per line with its path).
    static func load(_ paths: [String]) throws -> [(path: String, spec: ScenarioSpec)] {
        var files: [String] = []
        if paths.isEmpty {
            files = ScenarioSpec.scenarioFiles(inDirectory: defaultFolder)
            if files.isEmpty {
                throw BadInput("no scenario files in \(defaultFolder)/ (looked in \(FileManager.default.currentDirectoryPath)); run from the repository root or name scenario files")
            }
        } else {
            for path in paths {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    files += ScenarioSpec.scenarioFiles(inDirectory: path)
                } else {
                    files.append(path)
                }
            }
        }
        var loaded: [(String, ScenarioSpec)] = []
        var errors: [String] = []
        for file in files {
            do throws(ScenarioError) {
                loaded.append((file, try ScenarioSpec.load(contentsOf: file)))
            } catch {
                errors.append(error.name == nil ? error.description : error.headline + "\n" + error.description)
            }
        }
        if !errors.isEmpty { throw BadInput(errors.joined(separator: "\n")) }
        return loaded
    }
}

/// Input the user can fix (a scenario file, an option): exit code 64, the message as given.
struct BadInput: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
