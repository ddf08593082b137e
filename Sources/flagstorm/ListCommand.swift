import ArgumentParser
import StormEngine

/// `flagstorm list`: the scenarios `run` runs, with what each shows.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the scenarios (default: the suite in Scenarios/) with their descriptions.")

    @Argument(help: "Scenario files or folders (default: Scenarios/).")
    var scenarios: [String] = []

    func run() throws {
        for (path, spec) in try ScenarioSelection.load(scenarios) {
            print("\(spec.name)  (\(path); \(spec.load.executor.rawValue), policy \(spec.policies.map(\.rawValue).joined(separator: "+")))")
            for line in spec.description.split(separator: "\n") {
                print("    \(line)")
            }
        }
    }
}

extension String {
    /// Pads with spaces on the right to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
