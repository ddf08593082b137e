import Foundation

/// One axis of a chart: its domain, linear or logarithmic, and its labelled ticks.
///
/// Why a value of its own: side-by-side runs (`--policy both`) are drawn on the
/// same scales so the eye can compare them, so a scale is computed once over
/// every run of a scenario and handed to each run's chart. Every constructor
/// copes with empty, all-zero, single-value and huge inputs (the domain never
/// collapses and never holds a NaN).
struct ChartScale: Sendable, Hashable {
    /// How values map onto the axis.
    enum Kind: Sendable, Hashable {
        /// Equal distances for equal differences.
        case linear
        /// Equal distances for equal ratios (latencies spanning decades).
        case logarithmic
    }

    /// A labelled position on the axis, in data units.
    struct Tick: Sendable, Hashable {
        /// Where the tick stands, in data units.
        var value: Double
        /// What it says.
        var label: String
    }

    /// How values map onto the axis.
    var kind: Kind
    /// The smallest value shown (positive for a logarithmic scale).
    var lower: Double
    /// The largest value shown (always above ``lower``).
    var upper: Double
    /// The labelled ticks, in increasing order.
    var ticks: [Tick]

    /// Where `value` falls between ``lower`` (0) and ``upper`` (1), clamped to that range.
    func fraction(_ value: Double) -> Double {
        guard !value.isNaN else { return 0 }
        let position: Double
        switch kind {
        case .linear:
            position = (value - lower) / (upper - lower)
        case .logarithmic:
            position = (log10(max(value, lower)) - log10(lower)) / (log10(upper) - log10(lower))
        }
        guard position.isFinite else { return value > lower ? 1 : 0 }
        return min(max(position, 0), 1)
    }

    /// A linear scale from 0 to a round number at or above `maximum`, with about five ticks labelled by `label`.
    ///
    /// `integral` keeps steps whole (counts of connections); `exact` ends the
    /// axis at `maximum` itself rather than the next round number (time, so a
    /// 4-second run does not leave a third of the plot empty). An empty or
    /// all-zero input gives 0…1.
    static func linear(upTo maximum: Double, integral: Bool = false, exact: Bool = false,
                       label: (Double) -> String = NumberText.compact) -> ChartScale {
        let top = maximum.isFinite && maximum > 0 ? maximum : 1
        var step = roundStep(atLeast: top / (exact ? 5 : 4))
        if integral { step = max(step, 1) }
        let count = exact ? max(1, Int((top / step + 1e-9).rounded(.down))) : max(1, Int((top / step - 1e-9).rounded(.up)))
        let ticks = (0...count).map { index in
            let value = Double(index) * step
            return Tick(value: value, label: label(value))
        }
        return ChartScale(kind: .linear, lower: 0, upper: exact ? max(top, step) : Double(count) * step, ticks: ticks)
    }

    /// A logarithmic scale over whole decades covering `minimum`…`maximum`, at most about ten labelled decades.
    ///
    /// Non-positive or missing bounds fall back to one decade from 1.
    static func logarithmic(from minimum: Double, to maximum: Double, label: (Double) -> String) -> ChartScale {
        let low = minimum.isFinite && minimum > 0 ? minimum : 1
        let high = maximum.isFinite && maximum > low ? maximum : low
        let lowExponent = Int(log10(low).rounded(.down))
        var highExponent = Int((log10(high) - 1e-9).rounded(.up))
        if highExponent <= lowExponent { highExponent = lowExponent + 1 }
        let stride = max(1, (highExponent - lowExponent + 9) / 10)
        let decades = (highExponent - lowExponent + stride - 1) / stride * stride
        highExponent = lowExponent + decades
        let ticks = Swift.stride(from: lowExponent, through: highExponent, by: stride).map { exponent in
            let value = pow(10, Double(exponent))
            return Tick(value: value, label: label(value))
        }
        return ChartScale(kind: .logarithmic, lower: pow(10, Double(lowExponent)), upper: pow(10, Double(highExponent)), ticks: ticks)
    }

    /// The smallest of 1, 2 or 5 times a power of ten that is at least `raw` (a tick step people read easily).
    static func roundStep(atLeast raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let magnitude = pow(10, log10(raw).rounded(.down))
        for multiple in [1.0, 2, 5, 10] where multiple * magnitude >= raw * (1 - 1e-9) {
            return multiple * magnitude
        }
        return 10 * magnitude
    }
}
