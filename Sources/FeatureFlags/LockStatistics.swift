/// What one lock of the core saw: how often it was taken, how often a taker had
/// to wait, how long waits and holds lasted.
///
/// Wait time is measured on every contended acquisition. Hold time is measured
/// on every contended acquisition and on one in ``LockStatsRecorder/holdSampleInterval``
/// uncontended ones, because two precise clock reads per acquisition would cost
/// more than the lock itself. Percentiles come from a log-linear histogram with
/// 8 sub-buckets per power of two, so they are exact to within 12.5 %; maxima are exact.
public struct LockStatistics: Sendable, Hashable, Codable {
    /// The lock's name, e.g. `flagCache.registry`.
    public var name: String
    /// Acquisitions in all.
    public var acquisitions: UInt64
    /// Acquisitions that found the lock taken and had to wait.
    public var contended: UInt64
    /// Wait-time histogram (contended acquisitions only).
    public var wait: DurationHistogram
    /// Hold-time histogram (sampled, see the type's documentation).
    public var hold: DurationHistogram

    /// Creates empty statistics for a lock called `name`.
    public init(name: String) {
        self.name = name
        acquisitions = 0
        contended = 0
        wait = DurationHistogram()
        hold = DurationHistogram()
    }

    /// Adds `other`'s counts to these (for locks of one kind, e.g. per-entry locks, or shards).
    public mutating func merge(_ other: LockStatistics) {
        acquisitions += other.acquisitions
        contended += other.contended
        wait.merge(other.wait)
        hold.merge(other.hold)
    }
}

/// A small fixed-size histogram of nanosecond durations: log-linear buckets,
/// 8 per power of two (12.5 % precision), exact count, sum and maximum.
///
/// The core cannot import the harness's HdrHistogram, and a lock's statistics
/// must be recordable inside the lock without allocating; this is the smallest
/// thing that gives honest percentiles. Stored sparsely when encoded.
public struct DurationHistogram: Sendable, Hashable, Codable {
    static let subBucketBits = 3
    static let subBuckets = 1 << subBucketBits
    static let bucketCount = 16 + (64 - 4) * subBuckets

    /// Bucket counts, `bucketCount` long.
    private var counts: [UInt64]
    /// Number of recorded values.
    public private(set) var count: UInt64 = 0
    /// Largest recorded value, in nanoseconds.
    public private(set) var maxNanoseconds: UInt64 = 0
    /// Sum of recorded values, in nanoseconds (saturating).
    public private(set) var sumNanoseconds: UInt64 = 0

    /// Creates an empty histogram.
    public init() {
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    /// Records one duration of `nanoseconds`.
    @inlinable
    public mutating func record(nanoseconds: UInt64) {
        _record(nanoseconds)
    }

    @usableFromInline
    mutating func _record(_ value: UInt64) {
        counts[Self.bucketIndex(value)] &+= 1
        count &+= 1
        let (sum, overflow) = sumNanoseconds.addingReportingOverflow(value)
        sumNanoseconds = overflow ? .max : sum
        if value > maxNanoseconds { maxNanoseconds = value }
    }

    /// Adds another histogram's counts to this one (exact).
    public mutating func merge(_ other: DurationHistogram) {
        for index in 0..<Self.bucketCount where other.counts[index] != 0 {
            counts[index] &+= other.counts[index]
        }
        count &+= other.count
        let (sum, overflow) = sumNanoseconds.addingReportingOverflow(other.sumNanoseconds)
        sumNanoseconds = overflow ? .max : sum
        maxNanoseconds = Swift.max(maxNanoseconds, other.maxNanoseconds)
    }

    /// The value at `quantile` (0...1): the upper edge of the bucket holding it,
    /// never above the recorded maximum; 0 when empty.
    public func percentile(_ quantile: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, UInt64((quantile * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for index in 0..<Self.bucketCount where counts[index] != 0 {
            seen += counts[index]
            if seen >= rank { return Swift.min(Self.upperEdge(index), maxNanoseconds) }
        }
        return maxNanoseconds
    }

    static func bucketIndex(_ value: UInt64) -> Int {
        if value < 16 { return Int(value) }
        let octave = 63 - value.leadingZeroBitCount  // >= 4
        let sub = Int((value >> UInt64(octave - subBucketBits)) & UInt64(subBuckets - 1))
        return 16 + (octave - 4) * subBuckets + sub
    }

    static func upperEdge(_ index: Int) -> UInt64 {
        if index < 16 { return UInt64(index) }
        let octave = (index - 16) / subBuckets + 4
        let sub = UInt64((index - 16) % subBuckets)
        let base = UInt64(1) << UInt64(octave)
        let width = base >> UInt64(subBucketBits)
        let (edge, overflow) = (base + (sub + 1) * width).subtractingReportingOverflow(1)
        return overflow ? .max : edge
    }

    // Sparse coding: only non-empty buckets, as [index, count] pairs.
    private enum CodingKeys: String, CodingKey { case buckets, count, max_ns, sum_ns }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        let pairs = try container.decode([[UInt64]].self, forKey: .buckets)
        for pair in pairs {
            guard pair.count == 2, pair[0] < UInt64(Self.bucketCount) else {
                throw DecodingError.dataCorruptedError(forKey: .buckets, in: container,
                    debugDescription: "each bucket must be [index, count] with index < \(Self.bucketCount)")
            }
            counts[Int(pair[0])] = pair[1]
        }
        count = try container.decode(UInt64.self, forKey: .count)
        maxNanoseconds = try container.decode(UInt64.self, forKey: .max_ns)
        sumNanoseconds = try container.decode(UInt64.self, forKey: .sum_ns)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let pairs = counts.indices.filter { counts[$0] != 0 }.map { [UInt64($0), counts[$0]] }
        try container.encode(pairs, forKey: .buckets)
        try container.encode(count, forKey: .count)
        try container.encode(maxNanoseconds, forKey: .max_ns)
        try container.encode(sumNanoseconds, forKey: .sum_ns)
    }
}

/// The counters a lock keeps about itself, stored inside the lock they describe
/// (so recording needs no atomics: the lock's holder is the only writer).
struct LockStatsRecorder: Sendable {
    /// One in this many uncontended acquisitions has its hold time measured.
    static let holdSampleInterval: UInt64 = 64

    var statistics: LockStatistics

    init(name: String) { statistics = LockStatistics(name: name) }

    /// Counts an acquisition; returns whether its hold time should be measured.
    @inline(__always)
    mutating func countUncontended() -> Bool {
        statistics.acquisitions &+= 1
        return statistics.acquisitions % Self.holdSampleInterval == 0
    }

    mutating func countContended(waitNanoseconds: UInt64) {
        statistics.acquisitions &+= 1
        statistics.contended &+= 1
        statistics.wait.record(nanoseconds: waitNanoseconds)
    }
}
