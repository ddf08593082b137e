@testable import FeatureFlagsHTTP
import Testing

#if canImport(FoundationEssentials)
import struct FoundationEssentials.Date
#else
import struct Foundation.Date
#endif

/// Parsing of `Retry-After` values.
struct RetryAfterTests {
    /// 1994-11-06 08:49:37 UTC, the RFC's example date.
    static let rfcExampleEpoch = 784_111_777

    @Test(arguments: [("7", 7), ("0", 0), (" 120 ", 120), ("86400", 86_400)])
    func deltaSecondsAreRead(value: String, seconds: Int) {
        #expect(RetryAfter.parse(value, now: Date()) == .seconds(seconds))
    }

    @Test(arguments: ["99999999", "999999999999999999999999"])
    func hugeDeltaIsClampedToOneDay(value: String) {
        #expect(RetryAfter.parse(value, now: Date()) == .seconds(RetryAfter.maximumSeconds))
    }

    @Test(arguments: ["", "-5", "1.5", "soon", "7s",
                      "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                      "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 36 Nov 1994 08:49:37 GMT",
                      "Sun, 06 Nov 1994 25:49:37 GMT"])
    func malformedValuesAreAbsent(value: String) {
        #expect(RetryAfter.parse(value, now: Date()) == nil)
    }

    @Test func imfFixdateIsReadAsEpochSeconds() {
        #expect(RetryAfter.parseIMFFixdate("Sun, 06 Nov 1994 08:49:37 GMT") == Self.rfcExampleEpoch)
        #expect(RetryAfter.parseIMFFixdate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryAfter.parseIMFFixdate("Tue, 29 Feb 2028 12:00:00 GMT") == 1_835_438_400)
    }

    @Test func futureHTTPDateIsTheTimeLeft() {
        let now = Date(timeIntervalSince1970: Double(Self.rfcExampleEpoch - 90))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(90))
    }

    @Test func pastHTTPDateIsNoWait() {
        let now = Date(timeIntervalSince1970: Double(Self.rfcExampleEpoch + 3600))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .zero)
    }
}
