#if canImport(FoundationEssentials)
import struct FoundationEssentials.Date
#else
import struct Foundation.Date
#endif

/// Parses an HTTP `Retry-After` header value (RFC 9110 §10.2.3).
///
/// Accepts delta-seconds (`"7"`) and the preferred HTTP-date form, IMF-fixdate
/// (`"Sun, 06 Nov 1994 08:49:37 GMT"`), which is turned into the time left
/// until then (zero when it is past). The obsolete RFC 850 and asctime date
/// forms are not parsed and read as absent, as is anything else malformed.
enum RetryAfter {
    /// The longest delay returned (one day); larger values are clamped. The cache caps it further.
    static let maximumSeconds = 86_400

    /// The delay `value` asks for, measured from `now`, or `nil` when it cannot be read.
    static func parse(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Long digit strings overflow Int: they are clamped like any large value.
            let seconds = Int(text) ?? maximumSeconds
            return .seconds(min(seconds, maximumSeconds))
        }
        guard let epochSeconds = parseIMFFixdate(text) else { return nil }
        let delta = Double(epochSeconds) - now.timeIntervalSince1970
        return .seconds(min(max(delta, 0), Double(maximumSeconds)))
    }

    /// Seconds since 1970 of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), or `nil`.
    static func parseIMFFixdate(_ text: String) -> Int? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 6,
              parts[0].count == 4, parts[0].hasSuffix(","),
              dayNames.contains(String(parts[0].dropLast())),
              parts[5] == "GMT",
              let day = Int(parts[1]), parts[1].count == 2, (1...31).contains(day),
              let monthIndex = monthNames.firstIndex(of: String(parts[2])),
              parts[3].count == 4, let year = Int(parts[3]) else { return nil }
        let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
              let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return days * 86_400 + hour * 3600 + minute * 60 + second
    }

    private static let dayNames: Set<String> = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
