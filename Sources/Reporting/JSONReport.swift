import Foundation
import StormReport

/// The JSON form of a ``StormReport/RunSummary``: the public contract of `REPORT-SCHEMA.md`.
///
/// Why one encoder: key order and formatting are stable (sorted keys, pretty
/// printed, no escaped slashes), so reports diff cleanly between runs and in review.
public enum JSONReport {
    /// Encodes `summary` as the report's JSON text.
    public static func encode(_ summary: RunSummary) throws -> Data {
        try encoder.encode(summary)
    }

    /// Decodes a saved report, checking its schema.
    public static func decode(_ data: Data) throws -> RunSummary {
        let summary = try JSONDecoder().decode(RunSummary.self, from: data)
        guard summary.schema == RunSummary.schemaIdentifier else {
            throw ReportSchemaError(found: summary.schema)
        }
        return summary
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// A saved report of a schema this version cannot read.
public struct ReportSchemaError: Error, CustomStringConvertible, Sendable {
    /// The schema the file declared.
    public var found: String
    /// The explanation.
    public var description: String {
        "report schema \"\(found)\" is not \(RunSummary.schemaIdentifier); re-run with this version of flagstorm"
    }
}
