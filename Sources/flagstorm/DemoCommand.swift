import ArgumentParser
import FeatureFlags
import Foundation
import StormEngine

/// `flagstorm demo`: runs the built-in weakness demonstrations (in-memory, mostly
/// virtual time) under each policy, prints a side-by-side table and writes it as
/// Markdown under `--out`.
///
/// Gate: `seed` must show each weakness and `recommended` must not; otherwise
/// the exit code is 1. The scenario suite (`flagstorm run`) shows the same
/// weaknesses at scale over loopback HTTP; these demonstrations are the exact,
/// seconds-long version.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run the built-in weakness demonstrations (in memory) and check both policies.")

    @Option(help: "Which policy to run: seed, recommended or both.")
    var policy: PolicyChoice = .both

    @Option(help: "Folder for reports; each run writes into a new <timestamp> folder inside it.")
    var out: String = "Reports/runs"

    @Option(help: "Run only these weaknesses (comma-separated ids, e.g. W1,W3).")
    var only: String?

    func validate() throws {
        if let only {
            let known = Set(WeaknessDemonstration.builtIn.map(\.id))
            let unknown = only.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                .filter { !known.contains($0) }
            if !unknown.isEmpty {
                throw ValidationError(
                    "--only: unknown weakness id(s) \(unknown.joined(separator: ", ")); known: \(known.sorted().joined(separator: ", "))")
            }
        }
    }

    func run() async throws {
        let selected = Set(only?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? [])
        let demos = WeaknessDemonstration.builtIn.filter { selected.isEmpty || selected.contains($0.id) }
        let folder = try ReportFolder.create(in: out).url

        var rows: [(demo: WeaknessDemonstration, results: [(FlagCachePolicy, WeaknessDemonstration.Outcome)])] = []
        var failures = 0
        for demo in demos {
            var results: [(FlagCachePolicy, WeaknessDemonstration.Outcome)] = []
            for policy in policy.policies {
                let outcome = try await demo.run(policy)
                let ok = WeaknessDemonstration.isExpected(outcome, for: policy)
                if !ok { failures += 1 }
                print("\(demo.id.padding(3)) \(policy.rawValue.padding(11)) \(ok ? "ok  " : "FAIL") \(outcome.figures)")
                results.append((policy, outcome))
            }
            rows.append((demo, results))
        }

        let markdown = Self.markdown(rows, failures: failures)
        let file = folder.appendingPathComponent("weaknesses.md")
        do {
            try markdown.write(to: file, atomically: true, encoding: .utf8)
        } catch {
            throw RunError("cannot write \(file.path): \(error.localizedDescription)")
        }
        print("\n\(failures == 0 ? "PASS" : "FAIL: \(failures) unexpected outcome(s)") — report: \(file.path)")
        if failures > 0 { throw FlagStormCommand.gateFailed }
    }

    static func markdown(
        _ rows: [(demo: WeaknessDemonstration, results: [(FlagCachePolicy, WeaknessDemonstration.Outcome)])],
        failures: Int
    ) -> String {
        var lines = [
            "# FlagStorm: weaknesses of the reference design, per policy", "",
            "`seed` must show each weakness (as the Go code did); `recommended` must not.", "",
            "| id | weakness | Go measured | policy | measured | expected? |",
            "|---|---|---|---|---|---|",
        ]
        for row in rows {
            for (policy, outcome) in row.results {
                let ok = WeaknessDemonstration.isExpected(outcome, for: policy) ? "yes" : "**no**"
                lines.append("| \(row.demo.id) | \(row.demo.title) | \(row.demo.goFigure) | \(policy.rawValue) | \(outcome.figures) | \(ok) |")
            }
        }
        lines += ["", failures == 0 ? "Verdict: **pass**" : "Verdict: **fail** (\(failures) unexpected)", ""]
        return lines.joined(separator: "\n")
    }
}

/// An environment problem `run` can explain in one line.
struct RunError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
