import Foundation
import StormReport

/// The JSON form of a ``StormReport/PlanReport`` (schema `flagstorm.plan/1`), written and read back.
///
/// Why the run report's encoder: the same sorted keys and pretty printing make plan reports diff
/// cleanly between runs too; and decoding names the first bad field the same way
/// (`field points[0].global.meanPerSecond: missing`), so one habit reads both kinds of error.
public enum PlanJSONReport {
    /// Encodes `report` as the plan report's JSON text (sorted keys, pretty printed, slashes unescaped).
    public static func encode(_ report: PlanReport) throws -> Data {
        try JSONReport.encoder.encode(report)
    }

    /// Decodes a saved plan report, checking its schema first.
    ///
    /// Every problem is one line in a ``ReportDecodingError``: not JSON, no schema, a run report
    /// or another plan schema version, or the first field that is missing or of the wrong type, by its path.
    public static func decode(_ data: Data) throws(ReportDecodingError) -> PlanReport {
        let schema = try JSONReport.schema(of: data, kind: "plan")
        guard schema == PlanReport.currentSchema else {
            if schema.hasPrefix("flagstorm.run/") {
                throw ReportDecodingError(problem: "report schema \"\(schema)\" is a run report, not a plan report (\(PlanReport.currentSchema)); render it with `flagstorm report`")
            }
            throw ReportDecodingError(problem: "report schema \"\(schema)\" is not \(PlanReport.currentSchema), the one this flagstorm reads; re-render it with the flagstorm that wrote it, or re-run the plan")
        }
        do {
            return try JSONDecoder().decode(PlanReport.self, from: data)
        } catch let error as DecodingError {
            throw ReportDecodingError(problem: JSONReport.describe(error))
        } catch {
            throw ReportDecodingError(problem: "\(error)")
        }
    }
}
