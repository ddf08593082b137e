import Foundation
import Reporting
import StormReport
import Testing

/// Golden files and fixtures of the reporting tests, found next to this source file (not SwiftPM resources).
///
/// A renderer's output is compared with `Golden/NAME` byte for byte; with
/// `FLAGSTORM_UPDATE_GOLDEN=1` in the environment the golden is rewritten
/// instead (and the test passes), so a deliberate change shows in the diff.
enum GoldenFile {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let goldenFolder = testsFolder.appendingPathComponent("Golden")
    static let fixturesFolder = testsFolder.appendingPathComponent("Fixtures")
    static let updateHint = "re-record with FLAGSTORM_UPDATE_GOLDEN=1 swift test --filter ReportingTests and review the diff"

    static var isUpdating: Bool { ProcessInfo.processInfo.environment["FLAGSTORM_UPDATE_GOLDEN"] == "1" }

    /// The report in `Fixtures/NAME`.
    static func fixture(_ name: String) throws -> RunSummary {
        try JSONReport.decode(Data(contentsOf: fixturesFolder.appendingPathComponent(name)))
    }

    /// The bytes of `Fixtures/NAME`.
    static func fixtureData(_ name: String) throws -> Data {
        try Data(contentsOf: fixturesFolder.appendingPathComponent(name))
    }

    /// Records an issue naming the first differing line unless `actual` equals `Golden/NAME` byte for byte; rewrites it when updating.
    static func check(_ actual: String, matches name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = goldenFolder.appendingPathComponent(name)
        if isUpdating {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: file)
            return
        }
        guard let expected = try? Data(contentsOf: file) else {
            Issue.record("Golden/\(name) is missing; \(updateHint)", sourceLocation: sourceLocation)
            return
        }
        if expected != Data(actual.utf8) {
            Issue.record("Golden/\(name): \(firstDifference(expected: String(decoding: expected, as: UTF8.self), actual: actual))\n\(updateHint)",
                         sourceLocation: sourceLocation)
        }
    }

    /// Where two texts first differ: the line number and both versions of that line (cut around the first differing character).
    static func firstDifference(expected: String, actual: String) -> String {
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(expectedLines.count, actualLines.count) {
            let golden = index < expectedLines.count ? Array(expectedLines[index].utf8) : nil
            let rendered = index < actualLines.count ? Array(actualLines[index].utf8) : nil
            if golden == rendered { continue }
            let column = zip(golden ?? [], rendered ?? []).prefix { $0 == $1 }.count
            func excerpt(_ bytes: [UInt8]?) -> String {
                guard let bytes else { return "(no such line)" }
                let start = max(0, column - 60), end = min(bytes.count, column + 100)
                return (start > 0 ? "…" : "") + String(decoding: bytes[start..<end], as: UTF8.self) + (end < bytes.count ? "…" : "")
            }
            return "first difference at line \(index + 1), column \(column + 1)\n  golden:   \(excerpt(golden))\n  rendered: \(excerpt(rendered))"
        }
        return "the texts differ in their bytes but not by line (line endings or encoding)"
    }
}
