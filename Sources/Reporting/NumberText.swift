import Foundation

/// Numbers written for people, identically on every machine: fixed decimals,
/// thousands separators, compact `k`/`M` suffixes and duration ticks.
///
/// Why not `NumberFormatter` or `String(format:)`: the HTML report is golden
/// tested byte for byte, so its text must not depend on a locale, and chart
/// coordinates must not carry floating-point noise (`0.30000000000000004`).
enum NumberText {
    /// `value` rounded to `decimals` places (`fixed(2.345, 1)` is `2.3`), with trailing zeros and a bare point removed.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "–" : (value > 0 ? "∞" : "-∞") }
        let places = max(0, min(decimals, 6))
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return (value < 0 ? "-" : "") + String(Int64(min(abs(value), 9e18))) }
        let whole = Int64(scaled)
        let divisor = Int64(scale)
        let integer = whole / divisor
        var text = String(integer)
        if places > 0 {
            var fraction = String(whole % divisor)
            fraction = String(repeating: "0", count: places - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            if !fraction.isEmpty { text += "." + fraction }
        }
        return whole == 0 || value > 0 ? text : "-" + text
    }

    /// A count with thousands separators (`10,000`).
    static func grouped(_ value: Int) -> String {
        (value < 0 ? "-" : "") + grouped(value.magnitude)
    }

    /// A count with thousands separators (`10,000`), for the unsigned lock counters too.
    static func grouped<Value: UnsignedInteger>(_ value: Value) -> String {
        let digits = String(value)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }

    /// A count short enough for a chart label: grouped below a million (`34,422`), compact above (`4.61E`).
    static func count(_ value: UInt64) -> String {
        value < 1_000_000 ? grouped(value) : compact(Double(value))
    }

    /// A short number for an axis tick: `0.25`, `40`, `2.5k`, `10M`.
    static func compact(_ value: Double) -> String {
        guard value.isFinite else { return fixed(value, 0) }
        let suffixes = ["", "k", "M", "G", "T", "P", "E"]
        var magnitude = abs(value)
        var index = 0
        while magnitude >= 999.5, index < suffixes.count - 1 {
            magnitude /= 1000
            index += 1
        }
        let decimals = magnitude < 10 ? 2 : (magnitude < 100 ? 1 : 0)
        return (value < 0 ? "-" : "") + fixed(magnitude, decimals) + suffixes[index]
    }

    /// A duration tick in the largest unit that keeps it readable: `100 ns`, `1 µs`, `10 ms`, `2 s`.
    static func durationTick(nanoseconds value: Double) -> String {
        switch abs(value) {
        case ..<1e3: return compact(value) + " ns"
        case ..<1e6: return compact(value / 1e3) + " µs"
        case ..<1e9: return compact(value / 1e6) + " ms"
        default: return compact(value / 1e9) + " s"
        }
    }

    /// A fraction as a percentage rounded *down* to one decimal (`20.6 %`, `100 %`), so a figure just under a bound
    /// (94.96 % of a 95 % rule) never reads as on it.
    static func percentDown(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "–" }
        return fixed((max(fraction, 0) * 1000).rounded(.down) / 10, 1) + " %"
    }

    /// `part` as a percentage of `whole` with one decimal (`5.2 %`), or `–` when `whole` is zero.
    static func percent(_ part: Double, of whole: Double) -> String {
        whole > 0 ? fixed(part / whole * 100, 1) + " %" : "–"
    }
}
