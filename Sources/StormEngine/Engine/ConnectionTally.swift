import FeatureFlags

/// What connections measured, summed: latencies per operation and answer counts.
///
/// Why tallies and stripes: each connection records into its own
/// ``ConnectionTally`` (no sharing) and hands it to one of a few
/// ``TallyStripes`` when it closes, so the harness takes a lock once per
/// connection (or per 64 samples), never per check, and never the same lock
/// from every connection (house style rule 4).
struct Tally: Sendable {
    var open = OperationLatency()
    var isEnabled = OperationLatency()
    var close = OperationLatency()
    var clientAcquire = OperationLatency()
    var counts = Counts()

    mutating func merge(_ other: Tally) {
        open.merge(other.open)
        isEnabled.merge(other.isEnabled)
        close.merge(other.close)
        clientAcquire.merge(other.clientAcquire)
        counts.merge(other.counts)
    }
}

/// A connection's plain counts (no histograms: those live in the stripes, a
/// few hundred KiB each, and must never be created per connection).
struct Counts: Sendable {
    var answers = 0
    var wrong = 0
    var stale = 0
    var errors = 0
    var cancelled = 0
    var waitedOnRefresh = 0
    var opened = 0
    var closed = 0
    var lateStarts = 0
    /// Checks the closed connections were asked for (see ``StormRunner/intendedChecks(made:room:interval:)``).
    var intendedChecks = 0
    var wrongExample: String?

    mutating func merge(_ other: Counts) {
        answers += other.answers
        wrong += other.wrong
        stale += other.stale
        errors += other.errors
        cancelled += other.cancelled
        waitedOnRefresh += other.waitedOnRefresh
        opened += other.opened
        closed += other.closed
        lateStarts += other.lateStarts
        intendedChecks += other.intendedChecks
        if wrongExample == nil { wrongExample = other.wrongExample }
    }
}

/// One connection's measurements before they are handed over: raw samples in
/// small buffers (a histogram per connection would cost kilobytes each).
struct ConnectionTally {
    enum Operation: Int { case open, isEnabled, close, clientAcquire }

    /// Small, because 100,000 live connections each hold one buffer.
    static let bufferLimit = 16
    var samples: [(Operation, UInt64)] = []
    var counts = Counts()

    @inline(__always)
    mutating func record(_ operation: Operation, _ nanoseconds: UInt64, stripes: TallyStripes, stripe: Int) {
        samples.append((operation, nanoseconds))
        if samples.count >= Self.bufferLimit { flush(into: stripes, stripe: stripe) }
    }

    mutating func flush(into stripes: TallyStripes, stripe: Int) {
        let samples = self.samples
        let counts = self.counts
        self.samples.removeAll(keepingCapacity: true)
        self.counts = Counts()
        stripes.add(samples: samples, counts: counts, stripe: stripe)
    }
}

/// A few locked tallies that connections hand their measurements to.
final class TallyStripes: Sendable {
    private let stripes: [Locked<Tally>]

    /// Eight stripes: each holds four HdrHistograms of about 300 KiB, so more would cost memory for little less contention on 2 cores.
    init(count: Int = 8) {
        stripes = (0..<max(count, 1)).map { _ in Locked(Tally()) }
    }

    func add(samples: [(ConnectionTally.Operation, UInt64)], counts: Counts, stripe: Int) {
        stripes[stripe % stripes.count].withLock { tally in
            for (operation, nanoseconds) in samples {
                switch operation {
                case .open: tally.open.record(nanoseconds)
                case .isEnabled: tally.isEnabled.record(nanoseconds)
                case .close: tally.close.record(nanoseconds)
                case .clientAcquire: tally.clientAcquire.record(nanoseconds)
                }
            }
            tally.counts.merge(counts)
        }
    }

    /// Everything handed over so far, merged.
    var total: Tally {
        var total = Tally()
        for stripe in stripes { total.merge(stripe.withLock { $0 }) }
        return total
    }
}
