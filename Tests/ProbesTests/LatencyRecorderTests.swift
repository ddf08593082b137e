@testable import Probes
import Testing

extension ProbesTests {
    @Suite struct LatencyRecorderTests {
        @Test func emptyRecorderReportsZeros() {
            let recorder = LatencyRecorder()
            #expect(recorder.count == 0)
            #expect(recorder.percentile(99) == 0)
            #expect(recorder.max == 0)
            #expect(recorder.min == 0)
            #expect(recorder.mean == 0)
            #expect(recorder.clampedCount == 0)
            let summary = recorder.summary()
            #expect(summary.count == 0 && summary.p50Nanoseconds == 0 && summary.maxNanoseconds == 0)
        }

        @Test func percentilesAreWithinThreeSignificantDigits() {
            var recorder = LatencyRecorder()
            for value in 1 ... 100_000 as ClosedRange<UInt64> {
                recorder.record(value * 1_000)
            }
            #expect(recorder.count == 100_000)
            for (percentile, exact) in [(50.0, 50_000_000.0), (90.0, 90_000_000.0), (99.0, 99_000_000.0), (99.9, 99_900_000.0)] {
                let reported = Double(recorder.percentile(percentile))
                #expect(abs(reported - exact) / exact <= 0.001, "p\(percentile) = \(reported), expected ~\(exact)")
            }
            #expect(recorder.max == 100_000_000)
            #expect(recorder.min == 1_000)
            #expect(recorder.percentile(100) == 100_000_000 && recorder.percentile(250) == 100_000_000)
            #expect(recorder.percentile(0) == 1_000 && recorder.percentile(-3) == 1_000 && recorder.percentile(.nan) == 1_000)
            #expect(abs(recorder.mean - 50_000_500) / 50_000_500 <= 0.001)
        }

        @Test func valuesAboveTheHighestTrackableAreClampedAndCounted() {
            var recorder = LatencyRecorder()
            recorder.record(10)
            recorder.record(LatencyRecorder.highestTrackableValue)
            recorder.record(LatencyRecorder.highestTrackableValue + 1)
            recorder.record(UInt64.max)
            #expect(recorder.count == 4)
            #expect(recorder.clampedCount == 2)
            #expect(recorder.max == LatencyRecorder.highestTrackableValue)
            #expect(recorder.percentile(75) >= LatencyRecorder.highestTrackableValue * 999 / 1000)
        }

        @Test func mergingEqualsRecordingEverythingIntoOne() {
            let first = latencyLikeValues(count: 20_000, seed: 1)
            let second = latencyLikeValues(count: 5_000, seed: 2) + [UInt64.max]
            var a = LatencyRecorder(), b = LatencyRecorder(), all = LatencyRecorder()
            for value in first { a.record(value); all.record(value) }
            for value in second { b.record(value); all.record(value) }
            a.merge(b)
            #expect(a == all)
            #expect(a.count == 25_001 && a.clampedCount == 1)
            #expect(a.summary() == all.summary())
        }

        @Test func durationsRecordAsNanoseconds() {
            var recorder = LatencyRecorder()
            recorder.record(Duration.nanoseconds(1_500))
            #expect(recorder.max == 1_500)
            recorder.record(Duration.seconds(2) + .nanoseconds(7))
            #expect(recorder.max == 2_000_000_007)
            recorder.record(Duration.nanoseconds(-5))
            #expect(recorder.min == 0)
            recorder.record(Duration.seconds(7_200))
            #expect(recorder.clampedCount == 1)
            #expect(recorder.count == 4)
        }

        @Test(.enabled(if: AllocatorProbe().allocator == .jemalloc, "needs jemalloc's per-thread counters"))
        func recordingDoesNotAllocate() throws {
            var recorder = LatencyRecorder()
            recorder.record(1) // any one-time work happens before the measurement
            let values = latencyLikeValues(count: 100_000, seed: 3)
            // Plain reads: #require itself allocates while recording its expression.
            let beforeReading = AllocatorProbe.threadAllocationCounters()
            for value in values {
                recorder.record(value)
            }
            recorder.record(UInt64.max)
            let afterReading = AllocatorProbe.threadAllocationCounters()
            let before = try #require(beforeReading), after = try #require(afterReading)
            #expect(recorder.count == 100_002)
            #if DEBUG
            // Unoptimised builds run Histogram's generic code unspecialised,
            // which allocates and frees a small box per call (about 48 B).
            // Release builds, where measurements run, allocate nothing (see
            // below and the README); here check that nothing is retained.
            #expect(after.allocated - before.allocated == after.deallocated - before.deallocated)
            #else
            #expect(after.allocated - before.allocated == 0)
            #endif
        }

        @Test func footprintIsAQuarterToAThirdOfAMegabyte() {
            // 33,792 counters of 8 bytes; the allocator may round the block up (jemalloc: to 320 KiB).
            let footprint = LatencyRecorder().footprintBytes
            #expect(footprint >= 33_792 * 8 && footprint <= 400_000, "\(footprint)")
        }
    }
}
