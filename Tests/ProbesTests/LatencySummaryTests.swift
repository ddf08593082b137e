import Foundation
@testable import Probes
import Testing

extension ProbesTests {
    @Suite struct LatencySummaryTests {
        @Test func encodingRoundTripsExactly() throws {
            var recorder = LatencyRecorder()
            for value in latencyLikeValues(count: 50_000, seed: 10) { recorder.record(value) }
            recorder.record(0)
            recorder.record(UInt64.max)
            let decoded = try LatencyRecorder(decoding: recorder.encodedHistogram())
            #expect(decoded == recorder)
            #expect(decoded.count == recorder.count)
            #expect(decoded.clampedCount == 1)
            #expect(decoded.min == recorder.min && decoded.max == recorder.max)
            for percentile in [0.0, 1, 25, 50, 90, 99, 99.9, 99.99, 100] {
                #expect(decoded.percentile(percentile) == recorder.percentile(percentile))
            }
            #expect(decoded.mean == recorder.mean)
            #expect(decoded.encodedHistogram() == recorder.encodedHistogram())
        }

        @Test(arguments: [[], [0], [7], [5, 5], [1_000, 1_001], [3, 123_456_789], [0, 0, 9_999_999_999]] as [[UInt64]])
        func smallHistogramsRoundTripExactly(values: [UInt64]) throws {
            var recorder = LatencyRecorder()
            for value in values { recorder.record(value) }
            let decoded = try LatencyRecorder(decoding: recorder.encodedHistogram())
            #expect(decoded == recorder)
            #expect(decoded.min == recorder.min && decoded.max == recorder.max)
            #expect(decoded.summary() == recorder.summary())
        }

        @Test func summariesMergeExactlyAsIfRecordedTogether() throws {
            var a = LatencyRecorder(), b = LatencyRecorder(), all = LatencyRecorder()
            for value in latencyLikeValues(count: 30_000, seed: 20) { a.record(value); all.record(value) }
            for value in latencyLikeValues(count: 10_000, seed: 21).map({ $0 * 3 }) { b.record(value); all.record(value) }
            let merged = try LatencySummary.merged([a.summary(), b.summary()])
            let expected = all.summary()
            #expect(merged.count == 40_000)
            #expect(merged.p50Nanoseconds == expected.p50Nanoseconds)
            #expect(merged.p90Nanoseconds == expected.p90Nanoseconds)
            #expect(merged.p99Nanoseconds == expected.p99Nanoseconds)
            #expect(merged.p999Nanoseconds == expected.p999Nanoseconds)
            #expect(merged.maxNanoseconds == expected.maxNanoseconds)
            #expect(merged.meanNanoseconds == expected.meanNanoseconds)
            #expect(merged == expected) // the histogram text too: the encoding is canonical
            #expect(try LatencySummary.merged([]) == LatencyRecorder().summary())
        }

        @Test func jsonKeysAreTheReportSchemas() throws {
            var recorder = LatencyRecorder()
            recorder.record(42)
            let data = try JSONEncoder().encode(recorder.summary())
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(Set(object.keys) == ["count", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "mean_ns", "histogram"])
            #expect(object["p50_ns"] as? Int == 42)
            #expect((object["histogram"] as? String)?.hasPrefix("fshdr1:") == true)
            let decoded = try JSONDecoder().decode(LatencySummary.self, from: data)
            #expect(decoded == recorder.summary())
        }

        @Test func encodingIsCompact() {
            var recorder = LatencyRecorder()
            for value in latencyLikeValues(count: 100_000, seed: 30) { recorder.record(value) }
            let text = recorder.encodedHistogram()
            // ~5,700 non-empty buckets over 6.5 decades; a few bytes each.
            #expect(text.utf8.count < 40_000, "\(text.utf8.count) characters")
            var single = LatencyRecorder()
            single.record(1_234)
            #expect(single.encodedHistogram().utf8.count < 40)
        }

        @Test func decodingRejectsOtherFormatsAndDamagedText() {
            var recorder = LatencyRecorder()
            for value in [10, 2_000, 3_000_000] as [UInt64] { recorder.record(value) }
            let good = recorder.encodedHistogram()
            let payload = Data(base64Encoded: String(good.dropFirst("fshdr1:".count)))!
            func encoded(_ bytes: [UInt8]) -> String { "fshdr1:" + Data(bytes).base64EncodedString() }

            #expect(throws: LatencyHistogramDecodingError.unknownFormat) { try LatencyRecorder(decoding: "HISTFAAAA") }
            #expect(throws: LatencyHistogramDecodingError.invalidBase64) { try LatencyRecorder(decoding: "fshdr1:@@@") }
            #expect(throws: LatencyHistogramDecodingError.truncated) { try LatencyRecorder(decoding: encoded(Array(payload.prefix(5)))) }
            // Another layout: 2 significant digits.
            var otherLayout = [UInt8](payload)
            let digitsIndex = otherLayout.dropFirst().firstIndex(where: { $0 < 0x80 })! + 1 // after lowest and highest
            #expect(otherLayout[digitsIndex] == 3)
            otherLayout[digitsIndex] = 2
            #expect(throws: LatencyHistogramDecodingError.self) { try LatencyRecorder(decoding: encoded(otherLayout)) }
            // A bucket dropped: counts no longer sum to the total.
            #expect(throws: LatencyHistogramDecodingError.self) { try LatencyRecorder(decoding: encoded(Array(payload.dropLast()))) }
        }
    }
}
