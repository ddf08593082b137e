import FlagServer

/// Why a scenario file cannot run: every problem found in it, each with its path.
///
/// Why all of them: fixing a file one error per run is slow; the reader and
/// ``ScenarioSpec/validate()`` collect everything in one pass.
public struct ScenarioError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the problems are in, or `nil` for text that came from elsewhere.
    public var file: String?
    /// Every problem: those found while reading, section by section, then those of ``ScenarioSpec/validate()`` (server-model problems last).
    public var problems: [ConfigurationProblem]

    /// Creates an error.
    public init(file: String?, problems: [ConfigurationProblem]) {
        self.file = file
        self.problems = problems
    }

    /// One line per problem: `FILE: PATH: MESSAGE` (`FILE: MESSAGE` when the problem is about the whole file).
    public var description: String {
        let shownFile = file ?? "<scenario>"
        return problems.map { problem in
            problem.path.isEmpty ? "\(shownFile): \(problem.message)" : "\(shownFile): \(problem.path): \(problem.message)"
        }.joined(separator: "\n")
    }
}
