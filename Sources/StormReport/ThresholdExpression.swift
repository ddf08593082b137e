import Foundation

/// A k6-style threshold over report fields: `METRIC OP BOUND`, e.g.
/// `fetches.redundant == 0`, `latency.isEnabled.p99_ns < 5ms`,
/// `leaks.allocatedBytesGrowth < 512KiB`, `fetches.redundant <= fetches.minimum`.
///
/// The left side names a metric of a ``MetricVocabulary`` (the run report's by
/// default); `invariants.NAME` reads that invariant's violation count. The right
/// side is a number, optionally with a unit of the metric's kind (``MetricUnit``:
/// `5ms`, `1.5s`, `250us`, `512KiB`, `4GB`; a plain number is in the metric's own
/// unit, nanoseconds or bytes), or another metric of the same kind. Operators:
/// `==`, `!=`, `<`, `<=`, `>`, `>=`.
///
/// Why parsed against the vocabulary: an expression that names no report field,
/// uses no operator or writes a unit the field cannot have is bad input, found
/// when the scenario is read, not a failed gate found after the load ran.
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

        /// The operators, for messages: `== != < <= > >=`.
        static let listed = "== != < <= > >="

        /// What a mistyped operator most likely meant (`=` → `==`, `=>` → `>=`).
        static func suggestion(for token: String) -> Comparison? {
            switch token {
            case "=", "===": .equal
            case "=>", "≥": .greaterOrEqual
            case "=<", "≤": .lessOrEqual
            case "<>", "≠", "!", "!==", "=!": .notEqual
            default: nil
            }
        }
    }

    /// The right-hand side.
    public enum Operand: Sendable, Hashable {
        /// A number in the metric's own unit (nanoseconds, bytes), read from what was written;
        /// `unit` is the unit it was written in (`nil` for a plain number), which observed values are shown in.
        case number(Double, unit: MetricUnit?)
        /// Another metric of the same kind.
        case metric(ReportMetric)
    }

    /// The text as written.
    public var text: String
    /// The left-hand side.
    public var metric: ReportMetric
    /// The operator.
    public var comparison: Comparison
    /// The right-hand side.
    public var bound: Operand

    /// The left-hand side's JSON keys (``ReportMetric/components``).
    public var path: [String] { metric.components }

    /// The expression as written.
    public var description: String { text }

    /// Characters operators are made of; the left side is everything before the first of them.
    static let operatorCharacters: Set<Character> = ["=", "<", ">", "!", "≤", "≥", "≠"]

    /// Parses `text` against `vocabulary`, or throws one message that quotes the expression and says what is wrong.
    public init(_ text: String, vocabulary: MetricVocabulary = .run) throws(ThresholdSyntaxError) {
        self.text = text
        func problem(_ reason: String) -> ThresholdSyntaxError { ThresholdSyntaxError("\"\(text)\": \(reason)") }

        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let start = trimmed.firstIndex(where: { Self.operatorCharacters.contains($0) }) else {
            throw problem("expected METRIC OP VALUE such as fetches.redundant == 0, with OP one of \(Comparison.listed)")
        }
        let end = trimmed[start...].firstIndex { !Self.operatorCharacters.contains($0) } ?? trimmed.endIndex
        let left = trimmed[..<start].trimmingCharacters(in: .whitespaces)
        let token = String(trimmed[start..<end])
        let right = trimmed[end...].trimmingCharacters(in: .whitespaces)

        guard !left.isEmpty else {
            throw problem("the report field on the left is missing: expected METRIC OP VALUE such as fetches.redundant == 0, with OP one of \(Comparison.listed)")
        }
        guard let comparison = Comparison(rawValue: token) else {
            let guess = Comparison.suggestion(for: token).map { "; did you mean \($0.rawValue)?" } ?? ""
            throw problem("unknown operator \(token)\(guess) (operators: \(Comparison.listed))")
        }
        guard Self.isPath(left) else {
            throw problem("the left side \"\(left)\" is not a report field such as fetches.redundant")
        }
        guard let metric = vocabulary.metric(named: left) else { throw problem(vocabulary.unknownNameMessage(left)) }
        guard !right.isEmpty else {
            throw problem("nothing after \(token): write \(MetricUnit.howToWrite(metric.kind)), or another report field")
        }
        self.metric = metric
        self.comparison = comparison

        if let (number, unitText) = Self.splitQuantity(right) {
            guard let value = Double(number.replacingOccurrences(of: "_", with: "")), value.isFinite else {
                throw problem("\"\(right)\" is not a number")
            }
            guard !unitText.isEmpty else {
                bound = .number(value, unit: nil)
                return
            }
            guard let unit = MetricUnit.named(unitText) else {
                let near = MetricUnit.symbols(of: metric.kind).first { $0.lowercased() == unitText.lowercased() }
                if metric.kind == .count {
                    throw problem("\(metric.name) is a count: write a plain number, without a unit (got \(right))")
                }
                throw problem("unknown unit \"\(unitText)\" in \(right)\(near.map { "; did you mean \(number)\($0)?" } ?? ""); \(metric.name) is \(metric.kind.described): write \(MetricUnit.howToWrite(metric.kind))")
            }
            guard unit.kind == metric.kind else {
                if metric.kind == .count {
                    throw problem("\(metric.name) is a count: write a plain number, without a unit (got \(right))")
                }
                throw problem("\(right) is \(unit.kind.described), but \(metric.name) is \(metric.kind.described): write \(MetricUnit.howToWrite(metric.kind))")
            }
            bound = .number(unit.baseValue(of: value), unit: unit)
        } else if Self.isPath(right) {
            guard let other = vocabulary.metric(named: right) else { throw problem(vocabulary.unknownNameMessage(right)) }
            guard other.kind == metric.kind else {
                throw problem("compares \(metric.name) (\(metric.kind.described)) with \(other.name) (\(other.kind.described)); both sides must be of one kind")
            }
            bound = .metric(other)
        } else {
            throw problem("the right side \"\(right)\" is neither a number (with an optional unit) nor a report field")
        }
    }

    /// Splits `text` into a leading number (digits, `_`, a fraction, an exponent) and the rest (the unit, spaces trimmed);
    /// `nil` when it does not start like a number.
    static func splitQuantity(_ text: String) -> (number: String, unit: String)? {
        let characters = Array(text)
        var index = 0
        func digits() -> Int {
            let from = index
            while index < characters.count, characters[index].isASCII, characters[index].isNumber || characters[index] == "_" { index += 1 }
            return index - from
        }
        if index < characters.count, characters[index] == "-" || characters[index] == "+" { index += 1 }
        var seen = digits()
        if index < characters.count, characters[index] == "." {
            index += 1
            seen += digits()
        }
        guard seen > 0 else { return nil }
        if index < characters.count, characters[index] == "e" || characters[index] == "E" {
            let mark = index
            index += 1
            if index < characters.count, characters[index] == "-" || characters[index] == "+" { index += 1 }
            if digits() == 0 { index = mark }
        }
        return (String(characters[..<index]), String(characters[index...]).trimmingCharacters(in: .whitespaces))
    }

    static func isPath(_ text: String) -> Bool {
        !text.isEmpty && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        }
    }

    /// The unit observed values are shown in: the one the bound was written in, if any.
    public var displayUnit: MetricUnit? {
        if case .number(_, let unit) = bound { return unit }
        return nil
    }

    /// `value` (in the metric's own unit) as the expression's bound was written, to `significant` digits:
    /// `7.2ms` for a bound of `5ms`, `7` for `0` (a plain bound shows the plain number).
    public func display(_ value: Double, significant: Int = 3) -> String {
        displayUnit?.format(value, significant: significant) ?? Self.format(value)
    }

    /// The observed `value` next to the bound shown as `needed`: three significant digits, more when fewer would
    /// make a failing value read the same as its bound (`observed 5.0004ms, needed < 5ms`, never `observed 5ms`).
    func displayObserved(_ value: Double, against needed: String, bound: Double) -> String {
        var significant = 3
        var text = display(value, significant: significant)
        while value != bound, text == needed, significant < 12 {
            significant += 1
            text = display(value, significant: significant)
        }
        return text
    }

    /// Evaluates the expression against `summary` (thresholds and verdict are not readable).
    ///
    /// ``ThresholdResult/value`` is the raw figure (nanoseconds, bytes: the report's contract);
    /// the message shows it in the bound's unit (`observed 7.2ms, needed < 5ms`).
    public func evaluate(on summary: RunSummary) -> ThresholdResult {
        let document = Self.document(of: summary)
        guard let value = Self.lookup(metric.components, in: document) else {
            return ThresholdResult(expression: text, ok: false, value: nil,
                                   message: "no numeric value for \(metric.name) in the report (missing, or null: not measured in this run)")
        }
        let rhs: Double
        let needed: String
        switch bound {
        case .number(let number, _):
            rhs = number
            needed = display(number, significant: 12)  // the bound as written, never rounded
        case .metric(let other):
            guard let resolved = Self.lookup(other.components, in: document) else {
                return ThresholdResult(expression: text, ok: false, value: value,
                                       message: "no numeric value for \(other.name) in the report (missing, or null: not measured in this run)")
            }
            rhs = resolved
            needed = display(resolved)
        }
        let ok = comparison.holds(value, rhs)
        let observed = displayObserved(value, against: needed, bound: rhs)
        let source = if case .metric(let other) = bound { " (\(other.name))" } else { "" }
        return ThresholdResult(expression: text, ok: ok, value: value,
                               message: ok ? nil : "observed \(observed), needed \(comparison.rawValue) \(needed)\(source)")
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
