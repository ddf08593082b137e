/// One thing wrong with a configuration, with where it is.
///
/// Why a path: a scenario file has many faults and hosts; `faults[2].probability:
/// must be within 0...1` says exactly which line to fix, and reporting every
/// problem at once saves a fix-and-rerun loop per mistake.
public struct ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is, e.g. `faults[2].probability`.
    public var path: String
    /// What is wrong, e.g. `must be within 0...1`.
    public var message: String

    /// Creates a problem report.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}
