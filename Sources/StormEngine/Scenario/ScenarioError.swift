import FlagServer

/// Why a scenario (or plan) file cannot run: every problem found in it, each with its path.
///
/// Why all of them: fixing a file one error per run is slow; the reader and
/// ``ScenarioSpec/validate()`` (or ``PlanSpec/validate()``) collect everything in one pass.
public struct ScenarioError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of file the problems are in.
    ///
    /// Why: plan files are read by the same machinery as scenarios, and their
    /// messages should name what the reader is holding (`<plan>`, "not a plan file").
    public enum Kind: String, Sendable, Hashable {
        /// A scenario file (`Scenarios/*.yaml`).
        case scenario
        /// A capacity-plan file (`Scenarios/plans/*.yaml`).
        case plan
    }

    /// The file the problems are in, or `nil` for text that came from elsewhere.
    public var file: String?
    /// Every problem: those found while reading, section by section, then those of ``ScenarioSpec/validate()`` (server-model problems last).
    public var problems: [ConfigurationProblem]
    /// What kind of file it is; only the wording of ``description`` for text without a file depends on it.
    public var kind: Kind

    /// The scenario's (or plan's) name, when the file got far enough to give a usable one; `nil` otherwise.
    public var name: String?

    /// Creates an error.
    public init(file: String?, problems: [ConfigurationProblem], kind: Kind = .scenario, name: String? = nil) {
        self.file = file
        self.problems = problems
        self.kind = kind
        self.name = name
    }

    /// One line naming the file, the scenario and how many problems follow: `Scenarios/x.yaml: scenario x: 3 problems`.
    ///
    /// Why separate from ``description``: a command checking several files prints it above each file's problems,
    /// so a reader sees which scenario is broken before the details; the problem lines keep their one format.
    public var headline: String {
        let shownFile = file ?? "<\(kind.rawValue)>"
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return name.map { "\(shownFile): \(kind.rawValue) \($0): \(count)" } ?? "\(shownFile): \(count)"
    }

    /// One line per problem: `FILE: PATH: MESSAGE` (`FILE: MESSAGE` when the problem is about the whole file).
    public var description: String {
        let shownFile = file ?? "<\(kind.rawValue)>"
        return problems.map { problem in
            problem.path.isEmpty ? "\(shownFile): \(problem.message)" : "\(shownFile): \(problem.path): \(problem.message)"
        }.joined(separator: "\n")
    }
}
