/// A number of arrivals per window, e.g. `200/s` or `5/100ms`.
///
/// Why a count and a window rather than a `Double` per second: the spelling is
/// kept exactly (`1/3s` is not 0.333…/s rounded), and the engine can schedule
/// arrivals in whole numbers per window.
public struct ArrivalRate: Sendable, Hashable, CustomStringConvertible {
    /// Arrivals per ``window`` (`>= 0`).
    public var count: Int
    /// The window ``count`` arrivals are spread over (`> 0`).
    public var window: Duration

    /// Creates a rate of `count` per `window`.
    public init(count: Int, per window: Duration) {
        self.count = count
        self.window = window
    }

    /// The rate in arrivals per second.
    public var perSecond: Double {
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) * 1e-18
        return seconds > 0 ? Double(count) / seconds : 0
    }

    /// The file spelling, e.g. `200/s`, `5/100ms`, `30/m`.
    public var description: String {
        let nanoseconds = window.components.seconds * 1_000_000_000 + window.components.attoseconds / 1_000_000_000
        let units: [(Int64, String)] = [(3_600_000_000_000, "h"), (60_000_000_000, "m"), (1_000_000_000, "s"),
                                        (1_000_000, "ms"), (1_000, "us"), (1, "ns")]
        let (size, unit) = units.first { nanoseconds % $0.0 == 0 } ?? (1, "ns")
        let amount = nanoseconds / size
        return amount == 1 ? "\(count)/\(unit)" : "\(count)/\(amount)\(unit)"
    }
}
