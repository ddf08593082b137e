import ArgumentParser
import Foundation
import Reporting
import StormReport

/// The report formats the command line writes.
enum ReportFormat: String, CaseIterable {
    case json, md, html, junit, text

    /// Parses a comma-separated list, naming any unknown format.
    static func parse(_ text: String, allowed: [ReportFormat]) throws -> [ReportFormat] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var formats: [ReportFormat] = []
        for name in names {
            guard let format = ReportFormat(rawValue: name), allowed.contains(format) else {
                throw ValidationError("--format: unknown format '\(name)' (known: \(allowed.map(\.rawValue).joined(separator: ", ")))")
            }
            formats.append(format)
        }
        if formats.isEmpty { throw ValidationError("--format: name at least one of \(allowed.map(\.rawValue).joined(separator: ", "))") }
        return formats
    }
}

/// `flagstorm report`: re-renders saved JSON reports without re-running.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Re-render saved JSON run reports (files or run folders) to standard output.")

    @Argument(help: "JSON reports, or folders of them (e.g. Reports/runs/latest).")
    var reports: [String]

    @Option(help: "md, html, junit, text or json.")
    var format: String = "md"

    func validate() throws {
        let formats = try ReportFormat.parse(format, allowed: [.md, .html, .junit, .text, .json])
        if formats.count != 1 { throw ValidationError("--format: name one format (report prints to standard output)") }
        if reports.isEmpty { throw ValidationError("name at least one report file or folder") }
    }

    func run() throws {
        let format = try ReportFormat.parse(format, allowed: [.md, .html, .junit, .text, .json])[0]
        let summaries = try ReportFiles.load(reports)
        switch format {
        case .md: print(MarkdownReport.render(summaries), terminator: "")
        case .html: print(HTMLReport.render(summaries), terminator: "")
        case .junit: print(JUnitReport.render(summaries), terminator: "")
        case .text: print(summaries.map(ConsoleSummary.render).joined(separator: "\n\n"))
        case .json:
            for summary in summaries { print(String(decoding: try JSONReport.encode(summary), as: UTF8.self)) }
        }
    }
}

/// Reading saved reports from files and run folders.
enum ReportFiles {
    /// Every report in `paths` (JSON files, or folders of them), or a bad-input error naming the path.
    static func load(_ paths: [String]) throws -> [RunSummary] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw BadInput("\(path): no such file or folder; pass a JSON report or a run folder such as Reports/runs/latest")
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                // A run folder's verdict.json is the suite's verdict (flagstorm.verdict/1), not a run's report.
                files += names.filter { $0.hasSuffix(".json") && $0 != "verdict.json" }.sorted()
                    .map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        var summaries: [RunSummary] = []
        for file in files {
            do {
                summaries.append(try JSONReport.decode(Data(contentsOf: URL(fileURLWithPath: file))))
            } catch {
                throw BadInput("\(file): \(error)")
            }
        }
        if summaries.isEmpty { throw BadInput("\(paths.joined(separator: ", ")): no JSON reports found") }
        return summaries
    }
}
