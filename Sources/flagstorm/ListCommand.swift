import ArgumentParser
import StormEngine

/// `flagstorm list`: what `run` runs.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the built-in weakness demonstrations that `run` runs.")

    func run() {
        for demo in WeaknessDemonstration.builtIn {
            let time = demo.virtualTime ? "virtual time" : "real time"
            print("\(demo.id.padding(3))  \(demo.title)  [\(time); Go: \(demo.goFigure)]")
        }
    }
}

extension String {
    /// Pads with spaces on the right to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
