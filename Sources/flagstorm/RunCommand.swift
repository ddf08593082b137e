import ArgumentParser
import FeatureFlags
import FlagServer
import Foundation
import Reporting
import StormEngine
import StormReport

/// `flagstorm run`: runs scenarios (default: the suite in `Scenarios/`) under
/// the chosen policies against the embedded fake server, prints a one-screen
/// summary per run and writes one JSON report per scenario and policy.
///
/// Exit codes: 0 every run passed its thresholds and gating invariants (and,
/// with `--baseline`, no regression); 1 some run failed them; 2 a regression
/// against the baseline; 64 bad input (a broken scenario file, an unknown
/// option, a missing baseline), before anything runs where possible; 70 an
/// environment problem (an unwritable `--out`).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenarios against the embedded fake flag server and write reports.")

    @Argument(help: "Scenario files or folders (default: every *.yaml in Scenarios/).")
    var scenarios: [String] = []

    @Option(help: "Which policy to run: seed, recommended or both (default: each scenario's own).")
    var policy: PolicyChoice?

    @Option(help: "Override every scenario's seed.")
    var seed: UInt64?

    @Option(help: "Folder for reports; each run writes into a new <timestamp> folder inside it, and `latest` points at it.")
    var out: String = "Reports/runs"

    @Option(help: "Report formats to write, comma-separated: json (one per scenario and policy), md (summary.md), html (report.html: one page, charts inline), junit (junit.xml).")
    var format: String = "json,md,html,junit"

    @Option(help: "Compare with the reports in this folder after the run (exit 2 on a regression); e.g. Reports/baselines.")
    var baseline: String?

    @Flag(help: "Write this run's JSON reports into Reports/baselines/ (or --baseline) as the new baseline.")
    var updateBaseline = false

    @Option(help: "Run each scenario and policy N times (same seed) and keep every report; `compare` and the baseline use their medians and spread.")
    var `repeat`: Int = 1

    @Option(help: "Run only slice I of N of each scenario's hosts (1 ≤ I ≤ N), for a CI matrix or an indexed Job; combine the reports with `flagstorm merge`.")
    var shard: String?

    @Flag(help: "No progress line, even on a terminal.")
    var quiet = false

    @Flag(help: ArgumentHelp("Turn the check-path probes off (latency, answer judgement, TTL windows) to measure their own cost; the report then lacks those figures.", visibility: .hidden))
    var noProbes = false

    func validate() throws {
        _ = try ReportFormat.parse(format, allowed: [.json, .md, .html, .junit])
        guard `repeat` >= 1 else { throw ValidationError("--repeat: must be at least 1, got \(`repeat`)") }
        if let shard {
            do { _ = try RunShard(parsing: shard) } catch { throw ValidationError("--shard: \(error)") }
            if updateBaseline { throw ValidationError("--shard with --update-baseline: a baseline is a whole run; merge the shards first") }
        }
    }

    func run() async throws {
        let formats = try ReportFormat.parse(format, allowed: [.json, .md, .html, .junit])
        let selected = try ScenarioSelection.load(scenarios)
        if let baseline, !updateBaseline, !FileManager.default.fileExists(atPath: baseline) {
            throw BadInput("--baseline \(baseline): no such folder; record one first with flagstorm run --update-baseline")
        }
        let runShard = try shard.map { try RunShard(parsing: $0) }
        if let runShard {
            let problems = selected.filter { $0.spec.hosts.count < runShard.count }.map { path, spec in
                "\(path): --shard \(runShard): scenario \(spec.name) has \(spec.hosts.count) host(s), fewer than \(runShard.count) shards; use at most \(spec.hosts.count)"
            }
            if !problems.isEmpty { throw BadInput(problems.joined(separator: "\n")) }
        }
        let folder = try ReportFolder.create(in: out)
        let planned = selected.flatMap { _, spec in
            (policy?.policies ?? spec.policies).flatMap { policy in
                (1...`repeat`).map { "\(spec.name) [\(policy.rawValue)]" + (`repeat` > 1 ? " repeat \($0)/\(`repeat`)" : "") }
            }
        }
        let recorder = InterruptibleRun(folder: folder, formats: formats, planned: planned)
        let environment = RunEnvironment.current()
        let progress = quiet ? nil : ProgressLine.ifTerminal()
        var summaries: [RunSummary] = []
        for (path, var spec) in selected {
            if let seed { spec.seed = seed; spec.server.seed = seed; spec.cache.jitterSeed = seed }
            for policy in policy?.policies ?? spec.policies {
                var settings = RunSettings(spec: spec, policy: policy, file: path)
                settings.recordLatency = !noProbes
                settings.shard = runShard
                for repetition in 1...`repeat` {
                    var summary = try await ScenarioRun.run(settings, environment: environment, progress: progress?.callback)
                    progress?.clear()
                    if `repeat` > 1 { summary.scenario.repetition = "\(repetition)/\(`repeat`)" }
                    if formats.contains(.json) {
                        try ReportFolder.write(JSONReport.encode(summary), to: folder.file(Self.fileName(summary)))
                    }
                    summaries.append(summary)
                    recorder.finished(summary)
                    // Printed once recorded, so whatever the console shows an interruption's report holds.
                    // Repeats after the first print one line each: the full summary is in the reports.
                    print(repetition == 1 ? ConsoleSummary.render(summary) + "\n" : "  repeat \(repetition)/\(`repeat`): \(summary.verdict.rawValue)")
                    fflush(nil) // a CI log (a pipe, block-buffered) shows each run as it ends, not all at exit
                }
            }
        }
        recorder.finishing()
        // The one verdict: thresholds and gating invariants, then the baseline comparison, judged once and
        // written into every artifact before the exit code says it.
        var comparison: BaselineComparison.Result?
        if let baseline, !updateBaseline {
            let result = try CompareCommand.compare(baseline: [baseline], current: summaries, tolerance: nil, tolerances: [:])
            print(BaselineComparison.renderText(result))
            try ReportFolder.write(Data(BaselineComparison.renderMarkdown(result).utf8), to: folder.file("comparison.md"))
            comparison = result
        }
        let verdict = SuiteVerdict(summaries: summaries, comparison: comparison, baseline: baseline)
        try Self.writeRunDocuments(verdict, formats: formats, into: folder)
        folder.pointLatest()
        if updateBaseline {
            try Self.writeBaseline(summaries, into: URL(fileURLWithPath: baseline ?? "Reports/baselines"))
        }
        print("\(verdict.headline): \(selected.count) scenario(s), \(summaries.count) run(s); reports in \(folder.url.path)")
        for line in verdict.failedRuns.map({ "  failed: \($0.scenario.name) [\($0.scenario.policy)]: " + MarkdownReport.failedChecks($0).joined(separator: "; ") })
            + verdict.regressionLines.map({ "  regressed: " + $0 }) {
            print(line)
        }
        if verdict.exitCode != 0 { throw ExitCode(verdict.exitCode) }
    }

    /// Replaces every earlier baseline report of these scenarios and policies (a new baseline may have fewer repeats) with `summaries`.
    static func writeBaseline(_ summaries: [RunSummary], into target: URL) throws {
        do {
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            let replaced = Set(summaries.map { "\($0.scenario.name).\($0.scenario.policy)." })
            for name in try FileManager.default.contentsOfDirectory(atPath: target.path)
            where name.hasSuffix(".json") && replaced.contains(where: { name.hasPrefix($0) }) {
                try FileManager.default.removeItem(at: target.appendingPathComponent(name))
            }
            for summary in summaries {
                try JSONReport.encode(summary).write(to: target.appendingPathComponent(Self.fileName(summary)), options: .atomic)
            }
        } catch {
            throw RunError("cannot write the baseline into \(target.path): \(error.localizedDescription)")
        }
        print("baseline updated: \(summaries.count) report(s) in \(target.path)")
    }

    /// `<scenario>.<policy>[.shardIofN][.repeatK].json`.
    static func fileName(_ summary: RunSummary) -> String {
        var name = "\(summary.scenario.name).\(summary.scenario.policy)"
        if let shard = summary.scenario.shard { name += ".shard" + shard.replacingOccurrences(of: "/", with: "of") }
        if let repetition = summary.scenario.repetition { name += ".repeat" + (repetition.split(separator: "/").first.map(String.init) ?? "") }
        return name + ".json"
    }

    /// Writes the documents that cover every run of a folder under their one verdict: `summary.md`, `report.html`,
    /// `junit.xml` (as `formats` ask) and always `verdict.json`.
    static func writeRunDocuments(_ verdict: SuiteVerdict, formats: [ReportFormat], into folder: ReportFolder) throws {
        let documents: [(ReportFormat, String, (SuiteVerdict) -> String)] = [
            (.md, "summary.md", MarkdownReport.render), (.html, "report.html", HTMLReport.render),
            (.junit, "junit.xml", JUnitReport.render),
        ]
        for (format, name, render) in documents where formats.contains(format) {
            try ReportFolder.write(Data(render(verdict).utf8), to: folder.file(name))
        }
        try ReportFolder.write(verdict.json(), to: folder.file("verdict.json"))
    }
}
