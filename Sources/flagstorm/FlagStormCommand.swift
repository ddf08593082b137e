import ArgumentParser
import Foundation
import Probes

/// The `flagstorm` command line: wiring only; the work lives in the libraries.
@main
struct FlagStormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flagstorm",
        abstract: "Load-test and race-hunt a per-host feature-flag cache and client manager.",
        discussion: """
            Exit codes: 0 success; 1 gate failed (a threshold or gating invariant); 2 regression against a baseline; \
            64 bad input (unknown option, bad value, a broken scenario file); 70 internal or environment error \
            (for example an output folder that cannot be written); 130 interrupted (SIGINT or SIGTERM; `run` writes a partial \
            report marked INTERRUPTED).
            """,
        version: RunEnvironment.versionLine,
        subcommands: [RunCommand.self, ListCommand.self, ReportCommand.self, CompareCommand.self, MergeCommand.self, HuntCommand.self, PlanCommand.self, ServeCommand.self, DemoCommand.self, EnvironmentCommand.self]
    )

    /// Exit code when a gate (expectation, threshold, invariant) failed.
    static let gateFailed = ExitCode(1)
    /// Exit code for an error that is neither bad input nor a failed gate.
    static let internalError = ExitCode(70)

    /// Runs the command, keeping "gate failed" (1) distinct from other errors,
    /// which ArgumentParser would otherwise also report as 1.
    static func main() async {
        // First, before anything allocates for keeps: jemalloc becomes the
        // allocator (by re-executing under LD_PRELOAD) when it is installed.
        AllocatorSelection.reexecuteUnderJemallocIfAvailable()
        if let problem = AllocatorSelection.requestProblem {
            FileHandle.standardError.write(Data("flagstorm: error: \(problem)\n".utf8))
            exit(withError: ExitCode(64))
        }
        if AllocatorSelection.request == .jemalloc, case let probe = AllocatorProbe(), probe.allocator != .jemalloc {
            let why = AllocatorSelection.outcome(for: probe) ?? "jemalloc is not serving malloc"
            FileHandle.standardError.write(Data("flagstorm: error: FLAGSTORM_ALLOCATOR=jemalloc, but \(why)\n".utf8))
            exit(withError: internalError)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            exit(withError: code)
        } catch let input as BadInput {
            FileHandle.standardError.write(Data("flagstorm: error: \(input)\n".utf8))
            exit(withError: ExitCode(64))
        } catch {
            if exitCode(for: error) == .failure {
                FileHandle.standardError.write(Data("flagstorm: error: \(error)\n".utf8))
                exit(withError: internalError)
            }
            exit(withError: error)
        }
    }
}
