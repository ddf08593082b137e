/// A unit a threshold's bound may be written in (`5ms`, `512KiB`, `25%`), and how many of the metric's own unit it is.
///
/// Why units at all: `latency.isEnabled.p99_ns < 5ms` is what a person means;
/// `< 5000000` is what they had to write, and a zero too many went unnoticed.
/// The report keeps its own units (nanoseconds, bytes): a unit only changes how
/// a bound is read and how the observed value is shown back.
public struct MetricUnit: Sendable, Hashable, CustomStringConvertible {
    /// The symbol as written (`ms`, `µs`, `KiB`).
    public var symbol: String
    /// The kind of metric it measures.
    public var kind: ReportMetric.Kind
    /// How many of the kind's base unit (nanoseconds, bytes, 1) one of it is.
    public var scale: Double

    /// Creates a unit.
    public init(_ symbol: String, _ kind: ReportMetric.Kind, scale: Double) {
        self.symbol = symbol
        self.kind = kind
        self.scale = scale
    }

    /// The symbol.
    public var description: String { symbol }

    /// Every unit a bound may carry. Case matters: `MB` is megabytes, `mb` is nothing (and `m` is minutes).
    public static let all: [MetricUnit] = [
        MetricUnit("ns", .duration, scale: 1), MetricUnit("us", .duration, scale: 1e3),
        MetricUnit("µs", .duration, scale: 1e3), MetricUnit("μs", .duration, scale: 1e3),
        MetricUnit("ms", .duration, scale: 1e6), MetricUnit("s", .duration, scale: 1e9),
        MetricUnit("m", .duration, scale: 60e9), MetricUnit("h", .duration, scale: 3600e9),
        MetricUnit("B", .bytes, scale: 1),
        MetricUnit("kB", .bytes, scale: 1e3), MetricUnit("KB", .bytes, scale: 1e3), MetricUnit("MB", .bytes, scale: 1e6),
        MetricUnit("GB", .bytes, scale: 1e9), MetricUnit("TB", .bytes, scale: 1e12),
        MetricUnit("KiB", .bytes, scale: 1024), MetricUnit("MiB", .bytes, scale: 1024 * 1024),
        MetricUnit("GiB", .bytes, scale: 1024 * 1024 * 1024), MetricUnit("TiB", .bytes, scale: 1024 * 1024 * 1024 * 1024),
        MetricUnit("%", .ratio, scale: 0.01),
    ]

    /// The unit written `symbol`, or `nil`.
    public static func named(_ symbol: String) -> MetricUnit? { all.first { $0.symbol == symbol } }

    /// The units of `kind`, for messages (`ns, us, µs, μs, ms, s, m, h`).
    public static func symbols(of kind: ReportMetric.Kind) -> [String] { all.filter { $0.kind == kind }.map(\.symbol) }

    /// How a bound of `kind` may be written, for messages.
    public static func howToWrite(_ kind: ReportMetric.Kind) -> String {
        switch kind {
        case .duration: "a duration such as 5ms, 250us, 1.5s (units \(symbols(of: .duration).joined(separator: " "))) or plain nanoseconds"
        case .bytes: "a size such as 512KiB, 1MiB, 4GB (units \(symbols(of: .bytes).joined(separator: " "))) or plain bytes"
        case .count: "a plain number, without a unit"
        case .ratio: "a fraction such as 0.25 or a percentage such as 25%"
        }
    }

    /// `value` written in this unit, in the kind's base unit (`5` ms → 5,000,000 ns; `95` % → 0.95).
    ///
    /// Why not always `value * scale`: `95 * 0.01` is `0.9500000000000001`, and a bound of 95% must equal 0.95;
    /// a unit smaller than the base divides by its whole reciprocal instead.
    public func baseValue(of value: Double) -> Double {
        scale >= 1 ? value * scale : value / (1 / scale).rounded()
    }

    /// `value` (in the kind's base unit) in this unit with `significant` significant digits: `7.2ms`, `13.5ms`, `768KiB`, `25%`.
    public func format(_ value: Double, significant: Int = 3) -> String {
        MetricUnit.number(scale >= 1 ? value / scale : value * (1 / scale).rounded(), significant: significant) + symbol
    }

    /// `value` with at most `significant` significant digits in its fraction (whole numbers stay whole: `1235`),
    /// without needless zeros (`7`, `7.2`, `0.00123`), at most nine decimals; identical on every machine
    /// (no locale, no `String(format:)`).
    public static func number(_ value: Double, significant: Int = 3) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var magnitude = abs(value)
        var wholeDigits = 0
        while magnitude >= 1 { magnitude /= 10; wholeDigits += 1 }
        var leadingZeros = 0
        if wholeDigits == 0 {
            var probe = abs(value)
            while probe < 0.1, leadingZeros < 9 { probe *= 10; leadingZeros += 1 }
        }
        let decimals = min(9, max(0, significant - wholeDigits) + leadingZeros)
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return String(value) }
        let whole = Int64(scaled)
        let divisor = Int64(scale)
        var fraction = decimals == 0 ? "" : String(whole % divisor)
        if decimals > 0 { fraction = String(repeating: "0", count: decimals - fraction.count) + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let text = String(whole / divisor) + (fraction.isEmpty ? "" : "." + fraction)
        return value < 0 && whole != 0 ? "-" + text : text
    }
}
