/// One numeric field of the run report that a threshold can read, with the kind of quantity it holds.
///
/// Why typed: a threshold is checked against its metric before anything runs,
/// so `answers.wrng` is a typo the moment the scenario file is read, `< 5ms` on a
/// `_ns` field means 5,000,000, and `< 5MiB` on a duration is a mistake rather
/// than a number compared in the wrong unit.
public struct ReportMetric: Sendable, Hashable, CustomStringConvertible {
    /// What a metric measures, which decides the units its bound may be written in.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Integer nanoseconds (`_ns` keys); bounds may be written `100ns`, `250us`/`µs`, `5ms`, `1.5s`, `2m`, `1h`.
        case duration
        /// Bytes; bounds may be written `100B`, `4KB`/`kB`, `1MB`, `4GB` (powers of 1000) or `512KiB`, `1MiB`, `1GiB` (powers of 1024).
        case bytes
        /// A count of things; bounds are plain numbers.
        case count
        /// A fraction (0.25); bounds may be written as a fraction or a percentage (`25%`).
        case ratio

        /// The kind with an article, for messages ("a duration", "a count").
        public var described: String {
            switch self {
            case .duration: "a duration"
            case .bytes: "a size in bytes"
            case .count: "a count"
            case .ratio: "a ratio"
            }
        }
    }

    /// The JSON keys leading to the value, outermost first (`["contention", "flagCache.registry", "wait_p99_ns"]`).
    ///
    /// Why components and not a dotted string: lock names contain dots.
    public var components: [String]
    /// What the value measures.
    public var kind: Kind

    /// Creates a metric.
    public init(_ components: [String], kind: Kind) {
        self.components = components
        self.kind = kind
    }

    /// The path as a threshold writes it (`latency.isEnabled.p99_ns`).
    public var name: String { components.joined(separator: ".") }

    /// The path as a threshold writes it.
    public var description: String { name }
}
