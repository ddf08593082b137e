@testable import FeatureFlags
import Dispatch
import Synchronization
import Testing

@Suite struct InstrumentedLockTests {
    @Test func countsEveryAcquisitionAndSamplesHoldTime() {
        let lock = InstrumentedLock(name: "test.lock", 0)
        for _ in 0..<640 { lock.withLock { $0 += 1 } }
        let statistics = lock.statistics
        #expect(statistics.name == "test.lock")
        #expect(statistics.acquisitions == 640)
        #expect(statistics.contended == 0)
        #expect(statistics.hold.count == 10, "one in 64 uncontended acquisitions is timed")
        #expect(lock.withLock { $0 } == 640)
    }

    @Test func contendedAcquisitionRecordsItsWait() async {
        let blocked = DispatchSemaphore(value: 0)
        let held = DispatchSemaphore(value: 0)
        let lock = InstrumentedLock(name: "test.lock", 0, onContended: { blocked.signal() })
        // Thread 1 holds the lock until thread 2 has failed its tryLock and is about to block.
        let holder = Thread {
            lock.withLock { value in
                held.signal()
                blocked.wait()
                value += 1
            }
        }
        holder.start()
        held.wait()
        lock.withLock { $0 += 1 }  // contended: the holder releases only once we are waiting
        holder.join()
        let statistics = lock.statistics
        #expect(statistics.acquisitions == 2)
        #expect(statistics.contended == 1)
        #expect(statistics.wait.count == 1)
        #expect(statistics.wait.maxNanoseconds > 0)
        #expect(lock.withLock { $0 } == 2)
    }

    @Test func histogramPercentilesAreWithinABucketOfTheTruth() {
        var histogram = DurationHistogram()
        for value in 1...10_000 { histogram.record(nanoseconds: UInt64(value) * 100) }
        #expect(histogram.count == 10_000)
        #expect(histogram.maxNanoseconds == 1_000_000)
        for (quantile, truth) in [(0.5, 500_000.0), (0.9, 900_000.0), (0.99, 990_000.0)] {
            let value = Double(histogram.percentile(quantile))
            #expect(value >= truth && value <= truth * 1.125, "p\(quantile): \(value) vs \(truth)")
        }
        #expect(histogram.percentile(1.0) == 1_000_000)
        #expect(DurationHistogram().percentile(0.99) == 0)
    }

    @Test func histogramMergeIsExact() {
        var a = DurationHistogram(), b = DurationHistogram(), both = DurationHistogram()
        for value in stride(from: 1, to: 5_000, by: 7) {
            a.record(nanoseconds: UInt64(value)); both.record(nanoseconds: UInt64(value))
        }
        for value in stride(from: 3, to: 900_000, by: 911) {
            b.record(nanoseconds: UInt64(value)); both.record(nanoseconds: UInt64(value))
        }
        a.merge(b)
        #expect(a == both)
    }
}

/// A joinable OS thread, so the contention test does not depend on the cooperative pool.
final class Thread: Sendable {
    private let body: @Sendable () -> Void
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    func start() {
        let done = done, body = body
        DispatchQueue.global().async {
            body()
            done.signal()
        }
    }

    func join() { done.wait() }
}
