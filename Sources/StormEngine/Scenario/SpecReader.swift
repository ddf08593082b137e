import FlagServer
import Yams

/// A cursor on one node of a YAML document that knows its path and records problems instead of stopping at them.
///
/// Why not Codable: a decoder stops at the first error and ignores unknown keys,
/// while a scenario (or plan) file must list every problem at once, each with
/// its path (`load.connections: expected an integer, got "many"`). Each accessor
/// returns `nil` when the value is absent or wrong and, when wrong, records a
/// ``FlagServer/ConfigurationProblem``; the caller substitutes a default and
/// carries on, so one pass finds everything. Readers are cheap values sharing
/// one problem list; they are meant to live for one ``read(yaml:_:)`` call.
public struct SpecReader {
    /// Where this node is, e.g. `load.stages[1].target` (empty for the document's top level).
    public let path: String
    /// The node, or `nil` when the key is absent.
    let node: Node?
    /// The problem list shared by every reader of one document.
    let sink: SpecProblemSink

    init(path: String, node: Node?, sink: SpecProblemSink) {
        self.path = path
        self.node = node
        self.sink = sink
    }

    /// Parses `yaml` and hands its top-level reader to `body`; returns what `body` built and every problem found.
    ///
    /// A YAML syntax error is one problem whose path is `line L, column C`; an
    /// empty document reaches `body` as an absent top level.
    public static func read<Value>(
        yaml: String, _ body: (SpecReader) -> Value
    ) -> (value: Value?, problems: [ConfigurationProblem]) {
        let sink = SpecProblemSink()
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            return (nil, [syntaxProblem(error)])
        }
        let value = body(SpecReader(path: "", node: root, sink: sink))
        return (value, sink.problems)
    }

    static func syntaxProblem(_ error: any Error) -> ConfigurationProblem {
        guard let yamlError = error as? YamlError else {
            return ConfigurationProblem(path: "", message: "not valid YAML: \(error)")
        }
        func place(_ mark: Mark) -> String { "line \(mark.line), column \(mark.column)" }
        func context(_ context: YamlError.Context?) -> String {
            guard let context else { return "" }
            return " (\(context.text) at \(place(context.mark)))"
        }
        switch yamlError {
        case .scanner(let ctx, let problem, let mark, _),
             .parser(let ctx, let problem, let mark, _),
             .composer(let ctx, let problem, let mark, _):
            return ConfigurationProblem(path: place(mark), message: "YAML syntax error: \(problem)\(context(ctx))")
        case .duplicatedKeysInMapping(let duplicates, let ctx):
            let keys = duplicates.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            return ConfigurationProblem(path: place(ctx.mark), message: "duplicate key \(keys) in one mapping")
        case .reader(let problem, _, _, _):
            return ConfigurationProblem(path: "", message: "not readable as YAML text: \(problem)")
        default:
            return ConfigurationProblem(path: "", message: "not valid YAML: \(yamlError)")
        }
    }

    // MARK: - Shape

    /// Whether a value is given (absent keys and explicit nulls are not).
    public var isPresent: Bool {
        guard let node else { return false }
        return !Self.isNull(node)
    }

    /// Records `message` at this reader's path.
    public func report(_ message: String) {
        sink.problems.append(ConfigurationProblem(path: path, message: message))
    }

    /// Records `message` at `path.key` (for a problem about a key of this mapping).
    public func report(key: String, _ message: String) {
        sink.problems.append(ConfigurationProblem(path: Self.join(path, key), message: message))
    }

    /// This reader, after recording that it is missing when it is (`hint` says what to write).
    @discardableResult
    public func required(_ hint: String? = nil) -> SpecReader {
        if !isPresent { report("is required" + (hint.map { "; \($0)" } ?? "")) }
        return self
    }

    /// The reader of `key` in this mapping (absent when this is not a mapping or has no such key).
    public subscript(key: String) -> SpecReader {
        SpecReader(path: Self.join(path, key), node: value(forKey: key), sink: sink)
    }

    /// Checks that this is a mapping whose keys are all in `known`, reporting a wrong type and each unknown key (with a "did you mean" when one is close).
    ///
    /// - Parameter elsewhere: keys that are known one level down, with the
    ///   section they belong to (`connections` → `load`), so a key written at the
    ///   wrong level says where it goes.
    /// - Returns: whether the node is a mapping (an absent or null node is treated as an empty one and returns `true`).
    @discardableResult
    public func checkKeys(_ known: [String], elsewhere: [String: String] = [:]) -> Bool {
        guard isPresent, let node else { return true }
        guard case .mapping(let mapping) = node else {
            report("expected a mapping with keys \(known.joined(separator: ", ")), got \(Self.describe(node))")
            return false
        }
        for (keyNode, _) in mapping {
            guard let key = keyNode.scalar?.string else {
                report("keys must be plain names, got \(Self.describe(keyNode))")
                continue
            }
            guard !known.contains(key) else { continue }
            if let section = elsewhere[key] {
                report(key: key, "unknown key here; it belongs under \(section) (\(Self.join(section, key)))")
            } else if let suggestion = Self.suggestion(for: key, among: known) {
                report(key: key, "unknown key; did you mean \"\(suggestion)\"?")
            } else {
                report(key: key, "unknown key (known: \(known.joined(separator: ", ")))")
            }
        }
        return true
    }

    /// The entries of a mapping whose keys are names chosen by the author (such as host names), each reader at `path["key"]`.
    public func entries() -> [(key: String, value: SpecReader)] {
        guard isPresent, let node else { return [] }
        guard case .mapping(let mapping) = node else {
            report("expected a mapping, got \(Self.describe(node))")
            return []
        }
        var result: [(key: String, value: SpecReader)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string else {
                report("keys must be plain names, got \(Self.describe(keyNode))")
                continue
            }
            result.append((key, SpecReader(path: "\(path)[\"\(key)\"]", node: valueNode, sink: sink)))
        }
        return result
    }

    /// The elements of a list, each reader at `path[i]`; an absent or null list is empty.
    public func elements() -> [SpecReader] {
        guard isPresent, let node else { return [] }
        guard case .sequence(let sequence) = node else {
            report("expected a list, got \(Self.describe(node))")
            return []
        }
        return sequence.enumerated().map { index, element in
            SpecReader(path: "\(path)[\(index)]", node: element, sink: sink)
        }
    }

    // MARK: - Scalars

    /// The scalar's text, or `nil` (recording a problem when the node is not a scalar).
    public func string() -> String? {
        scalar(expected: "a string") { $0 }
    }

    /// A whole number (`1000`, `1_000`, `-3`); range checks are the caller's.
    public func int() -> Int? {
        scalar(expected: "an integer") { Int($0.filter { $0 != "_" }) }
    }

    /// A whole number within `0...UInt64.max` (seeds).
    public func uint64() -> UInt64? {
        scalar(expected: "a whole number >= 0") { UInt64($0.filter { $0 != "_" }) }
    }

    /// A finite number (`0.25`, `1`, `1e-3`).
    public func double() -> Double? {
        scalar(expected: "a number") { text in
            Double(text.filter { $0 != "_" }).flatMap { $0.isFinite ? $0 : nil }
        }
    }

    /// `true` or `false`.
    public func bool() -> Bool? {
        scalar(expected: "true or false") { text in
            switch text.lowercased() {
            case "true": true
            case "false": false
            default: nil
            }
        }
    }

    /// A duration as ``ScenarioSyntax/parseDuration(_:)`` reads it (`500ms`, `2s`, `1m`, `0`).
    public func duration() -> Duration? {
        scalar(expected: "a duration such as 500ms, 2s or 1m") { ScenarioSyntax.parseDuration($0) }
    }

    /// A list of strings (an absent list is `nil`, not empty, so a default can apply).
    public func stringList() -> [String]? {
        guard isPresent else { return nil }
        guard case .sequence = node else {
            report("expected a list of strings, got \(Self.describe(node!))")
            return nil
        }
        return elements().compactMap { $0.string() }
    }

    /// A value in a spelling of its own, read by `parse`, whose error message is recorded as it is (it names the offending token).
    public func parsed<Value>(_ parse: (String) throws(FlagServerCommandLineError) -> Value) -> Value? {
        guard let text = string() else { return nil }
        do throws(FlagServerCommandLineError) {
            return try parse(text)
        } catch {
            report(error.message)
            return nil
        }
    }

    /// A value that must be one of `names` (such as an executor), reported with the known names and a "did you mean".
    public func oneOf<Value>(_ what: String, _ names: KeyValuePairs<String, Value>) -> Value? {
        guard let text = string() else { return nil }
        if let match = names.first(where: { $0.key == text }) { return match.value }
        let known = names.map(\.key)
        var message = "unknown \(what) \"\(text)\" (known: \(known.joined(separator: ", ")))"
        if let suggestion = Self.suggestion(for: text, among: known) { message += "; did you mean \"\(suggestion)\"?" }
        report(message)
        return nil
    }

    /// Reads a scalar with `convert`, recording `expected X, got Y` when the node is not a scalar or `convert` returns nil.
    func scalar<Value>(expected: String, _ convert: (String) -> Value?) -> Value? {
        guard let node else { return nil }
        if Self.isNull(node) {
            report("expected \(expected), got nothing (give a value or leave the key out)")
            return nil
        }
        guard case .scalar(let scalar) = node else {
            report("expected \(expected), got \(Self.describe(node))")
            return nil
        }
        guard let value = convert(scalar.string) else {
            report("expected \(expected), got \(Self.describe(node))")
            return nil
        }
        return value
    }

    // MARK: - Helpers

    func value(forKey key: String) -> Node? {
        guard let node, case .mapping(let mapping) = node else { return nil }
        for (keyNode, valueNode) in mapping where keyNode.scalar?.string == key {
            return valueNode
        }
        return nil
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// How a node reads in a message: `"many"`, `a list`, `a mapping`.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "\"\(scalar.string)\""
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }

    /// The known name within edit distance 2 of `name` (case-insensitively), closest first, if any.
    public static func suggestion(for name: String, among known: [String]) -> String? {
        let lowered = name.lowercased()
        var best: (name: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance <= 2, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// The Levenshtein distance between `a` and `b`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// The problems found while reading one document, shared by all its ``SpecReader``s.
final class SpecProblemSink {
    var problems: [ConfigurationProblem] = []
}
