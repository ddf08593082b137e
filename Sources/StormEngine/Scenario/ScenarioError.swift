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

    /// Creates an error.
    public init(file: String?, problems: [ConfigurationProblem], kind: Kind = .scenario) {
        self.file = file
        self.problems = problems
        self.kind = kind
    }

    /// One line per problem: `FILE: PATH: MESSAGE` (`FILE: MESSAGE` when the problem is about the whole file).
    public var description: String {
        let shownFile = file ?? "<\(kind.rawValue)>"
        return problems.map { problem in
            problem.path.isEmpty ? "\(shownFile): \(problem.message)" : "\(shownFile): \(problem.path): \(problem.message)"
        }.joined(separator: "\n")
    }
}
