import ArgumentParser
import Foundation
import Probes
import Reporting
import StormReport

/// `flagstorm environment`: the `environment` block a report written now would carry, and how the allocator was chosen.
///
/// For the question "why does my report say glibc?": it names the allocator
/// verified at run time, the jemalloc library found (or not), and the
/// environment variables that decide it.
struct EnvironmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environment",
        abstract: "Print the environment a report would record: version, commit, toolchain, cores, allocator.")

    @Flag(help: "Print the block as JSON (the report's `environment` object).")
    var json = false

    /// Where jemalloc was looked for: the path `FLAGSTORM_JEMALLOC_PATH` names, or the usual places.
    static var notFound: String {
        if let path = ProcessInfo.processInfo.environment["FLAGSTORM_JEMALLOC_PATH"], !path.isEmpty {
            return "FLAGSTORM_JEMALLOC_PATH=\(path) is not a readable file"
        }
        return "not found in \(AllocatorSelection.searchPaths.joined(separator: ", "))"
    }

    func run() throws {
        let probe = AllocatorProbe()
        let environment = RunEnvironment.current(allocator: probe)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(environment), as: UTF8.self))
            return
        }
        print("""
            version     \(environment.version ?? "unknown")
            commit      \(environment.commit ?? "unknown (the binary is not in a git checkout)")
            toolchain   \(environment.toolchain), \(environment.build ?? "?") build
            cores       \(environment.cores)
            allocator   \(environment.allocator)
            evidence    \(probe.evidence)
            jemalloc    \(AllocatorSelection.jemallocLibraryPath() ?? Self.notFound)
            chosen by   FLAGSTORM_ALLOCATOR=\(AllocatorSelection.request.rawValue) (auto | jemalloc | glibc)
            """)
    }
}
