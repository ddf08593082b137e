import ArgumentParser
import Foundation
import Reporting
import StormEngine
import StormReport

/// `flagstorm merge`: combines the reports of `run --shard I/N` into the whole run's reports.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the reports of `run --shard 1/N … N/N` into one report per scenario and policy.",
        discussion: """
            Counts are summed, fetches.minimum is recomputed from the shards' disjoint hosts, latency and lock \
            percentiles come from the merged histograms (never averaged), and thresholds are evaluated again on \
            the merged figures. peakConcurrent is the sum of the shards' peaks. Exit codes: 0 merged and every \
            verdict passes; 1 a merged verdict fails; 64 bad input (a malformed report, a report without a \
            shard, a shard missing or given twice).
            """)

    @Argument(help: "Shard reports (JSON files, or folders of them: one per shard job).")
    var reports: [String]

    @Option(help: "Folder to write the merged reports into (a new <timestamp> folder inside it; `latest` points at it).")
    var out: String = "Reports/runs"

    @Option(help: "Report formats to write, comma-separated: json, md, html, junit.")
    var format: String = "json,md,html,junit"

    func validate() throws {
        _ = try ReportFormat.parse(format, allowed: [.json, .md, .html, .junit])
        if reports.isEmpty { throw ValidationError("name the shard reports (files or folders) to merge") }
    }

    func run() throws {
        let formats = try ReportFormat.parse(format, allowed: [.json, .md, .html, .junit])
        let merged: [RunSummary]
        do {
            merged = try ShardMerge.mergeAll(ReportFiles.load(reports))
        } catch let problem as ShardMerge.Problem {
            throw BadInput(problem.description)
        }
        let folder = try ReportFolder.create(in: out)
        for summary in merged {
            print(ConsoleSummary.render(summary))
            print("")
            if formats.contains(.json) {
                try ReportFolder.write(JSONReport.encode(summary), to: folder.file(RunCommand.fileName(summary)))
            }
        }
        let verdict = SuiteVerdict(summaries: merged)
        try RunCommand.writeRunDocuments(verdict, formats: formats, into: folder)
        folder.pointLatest()
        print("\(verdict.headline): merged \(merged.count) report(s); reports in \(folder.url.path)")
        if verdict.exitCode != 0 { throw ExitCode(verdict.exitCode) }
    }
}
