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

    /// The `schema` field of a saved report, or a one-line error: not a JSON object, or no schema (not a flagstorm `kind` report).
    static func schema(of data: Data, kind: String) throws(ReportDecodingError) -> String {
        struct Header: Decodable { var schema: String? }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw ReportDecodingError(problem: "not a JSON object")
        }
        guard let schema = header.schema else {
            throw ReportDecodingError(problem: "no \"schema\" field: not a flagstorm \(kind) report")
        }
        return schema
    }

    /// Decodes a saved report, checking its schema first.
    ///
    /// Errors say what is wrong in one line: not JSON, not a run report, another
    /// schema version (``ReportSchemaError``), or the first field that is missing
    /// or of the wrong type, by its path (``ReportDecodingError``).
    public static func decode(_ data: Data) throws -> RunSummary {
        let schema = try Self.schema(of: data, kind: "run")
        guard schema == RunSummary.schemaIdentifier else { throw ReportSchemaError(found: schema) }
        do {
            return try JSONDecoder().decode(RunSummary.self, from: data)
        } catch let error as DecodingError {
            throw ReportDecodingError(problem: describe(error))
        }
    }

    /// A decoding error as `field a.b.c: what is wrong`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
        }
        switch error {
        case .keyNotFound(let key, let context): return "field \(path(context, key)): missing"
        case .typeMismatch(let type, let context): return "field \(path(context)): expected \(type)"
        case .valueNotFound(let type, let context): return "field \(path(context)): null where \(type) is needed"
        case .dataCorrupted(let context): return "field \(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
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
        "report schema \"\(found)\" is not \(RunSummary.schemaIdentifier), the one this flagstorm reads; re-render it with the flagstorm that wrote it, or re-run"
    }
}

/// A saved report that is not a readable run report; ``problem`` names the field.
public struct ReportDecodingError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, e.g. `field fetches.total: missing`.
    public var problem: String
    /// The problem.
    public var description: String { problem }
}
