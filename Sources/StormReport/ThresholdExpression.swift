import Foundation

/// A k6-style threshold over report fields: `PATH OP VALUE`, e.g.
/// `fetches.redundant == 0`, `latency.isEnabled.p99_ns < 1000000`,
/// `fetches.redundant <= fetches.minimum`.
///
/// Paths name fields of the JSON report (``RunSummary``) with dots;
/// `invariants.NAME` reads that invariant's violation count. The right-hand
/// side is a number or another path. Operators: `==`, `!=`, `<`, `<=`, `>`, `>=`.
/// Why this small language: it is what k6 users expect, it is readable in a
/// scenario file, and anything it cannot say belongs in an invariant.
public struct ThresholdExpression: Sendable, Hashable, CustomStringConvertible {
    /// A comparison operator.
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case equal = "==", notEqual = "!=", lessOrEqual = "<=", greaterOrEqual = ">=", less = "<", greater = ">"

        func holds(_ lhs: Double, _ rhs: Double) -> Bool {
            switch self {
            case .equal: lhs == rhs
            case .notEqual: lhs != rhs
            case .less: lhs < rhs
            case .lessOrEqual: lhs <= rhs
            case .greater: lhs > rhs
            case .greaterOrEqual: lhs >= rhs
            }
        }
    }

    /// A side of the comparison.
    public enum Operand: Sendable, Hashable {
        case number(Double)
        case path([String])
    }

    /// The text as written.
    public var text: String
    /// The left-hand side (always a path).
    public var path: [String]
    /// The operator.
    public var comparison: Comparison
    /// The right-hand side.
    public var bound: Operand

    /// The expression as written.
    public var description: String { text }

    /// Parses `text`, or throws a message naming what is wrong.
    public init(_ text: String) throws(ThresholdSyntaxError) {
        self.text = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Two-character operators first, so `<=` is not read as `<`.
        let ordered: [Comparison] = [.equal, .notEqual, .lessOrEqual, .greaterOrEqual, .less, .greater]
        guard let (comparison, range) = ordered.lazy.compactMap({ op in
            trimmed.range(of: " \(op.rawValue) ").map { (op, $0) } ?? trimmed.range(of: op.rawValue).map { (op, $0) }
        }).first else {
            throw ThresholdSyntaxError("\"\(text)\": expected PATH OP VALUE with OP one of == != < <= > >=")
        }
        let left = trimmed[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let right = trimmed[range.upperBound...].trimmingCharacters(in: .whitespaces)
        guard Self.isPath(left) else {
            throw ThresholdSyntaxError("\"\(text)\": the left side \"\(left)\" is not a report field path such as fetches.redundant")
        }
        self.path = left.split(separator: ".").map(String.init)
        self.comparison = comparison
        if let number = Double(right.replacingOccurrences(of: "_", with: "")) {
            bound = .number(number)
        } else if Self.isPath(right) {
            bound = .path(right.split(separator: ".").map(String.init))
        } else {
            throw ThresholdSyntaxError("\"\(text)\": the right side \"\(right)\" is neither a number nor a report field path")
        }
    }

    static func isPath(_ text: String) -> Bool {
        !text.isEmpty && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        }
    }

    /// Evaluates the expression against `summary` (thresholds and verdict are not readable).
    public func evaluate(on summary: RunSummary) -> ThresholdResult {
        let document = Self.document(of: summary)
        guard let value = Self.lookup(path, in: document) else {
            return ThresholdResult(expression: text, ok: false, value: nil,
                                   message: "no numeric value for \(path.joined(separator: ".")) in the report (missing, or null: not measured in this run)")
        }
        let rhs: Double
        switch bound {
        case .number(let number):
            rhs = number
        case .path(let other):
            guard let resolved = Self.lookup(other, in: document) else {
                return ThresholdResult(expression: text, ok: false, value: value,
                                       message: "no numeric field \(other.joined(separator: ".")) in the report")
            }
            rhs = resolved
        }
        let ok = comparison.holds(value, rhs)
        return ThresholdResult(expression: text, ok: ok, value: value,
                               message: ok ? nil : "observed \(Self.format(value)), needed \(comparison.rawValue) \(Self.format(rhs))")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The report as parsed JSON (dictionaries, arrays, numbers), for reading fields by path.
    public static func document(of summary: RunSummary) -> Any {
        guard let data = try? JSONEncoder().encode(summary),
              let object = try? JSONSerialization.jsonObject(with: data) else { return [:] as [String: Any] }
        return object
    }

    /// The number at `path` in `document` (`invariants.NAME` reads that invariant's violations), or `nil`.
    public static func lookup(_ path: [String], in document: Any) -> Double? {
        var current: Any = document
        for (position, component) in path.enumerated() {
            if let array = current as? [Any], position > 0, path[position - 1] == "invariants" {
                guard let match = array.compactMap({ $0 as? [String: Any] }).first(where: { $0["name"] as? String == component }) else {
                    return nil
                }
                current = match["violations"] as Any
                continue
            }
            guard let object = current as? [String: Any], let next = object[component] else { return nil }
            current = next
        }
        if let number = current as? NSNumber { return number.doubleValue }
        return nil
    }
}

/// Why a threshold expression could not be read.
public struct ThresholdSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The explanation, quoting the expression.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The explanation.
    public var description: String { message }
}
