/// One operation's latency in a run report: count, percentiles, max and mean in nanoseconds, plus the histogram.
///
/// The shape REPORT-SCHEMA.md gives a `latency` entry. The figures are for
/// readers; `histogram` (see ``LatencyRecorder/encodedHistogram()``) is for
/// machines, so that summaries from shards or repeated runs merge exactly
/// with ``merged(_:)`` instead of averaging percentiles, which is wrong.
///
/// JSON keys: `count`, `p50_ns`, `p90_ns`, `p99_ns`, `p999_ns`, `max_ns`,
/// `mean_ns`, `histogram`.
public struct LatencySummary: Codable, Sendable, Hashable {
    /// The number of values recorded.
    ///
    /// Weighs this entry against others; 0 means every other figure is 0.
    public let count: UInt64
    /// The median, in nanoseconds.
    ///
    /// The typical operation.
    public let p50Nanoseconds: UInt64
    /// The 90th percentile, in nanoseconds.
    ///
    /// What one operation in ten exceeds.
    public let p90Nanoseconds: UInt64
    /// The 99th percentile, in nanoseconds.
    ///
    /// The usual tail figure that thresholds gate on.
    public let p99Nanoseconds: UInt64
    /// The 99.9th percentile, in nanoseconds.
    ///
    /// The far tail, where lock convoys and stalls show first.
    public let p999Nanoseconds: UInt64
    /// The largest value recorded, exactly, in nanoseconds.
    ///
    /// Equal to ``LatencyRecorder/highestTrackableValue`` if values were clamped.
    public let maxNanoseconds: UInt64
    /// The mean, in nanoseconds, rounded, from bucket midpoints (within 0.1 %).
    ///
    /// For comparison with tools that report means; percentiles say more.
    public let meanNanoseconds: UInt64
    /// The whole histogram in the "fshdr1" text format (see ``LatencyRecorder/encodingPrefix``).
    ///
    /// The source of truth for merging; decode it with ``LatencyRecorder/init(decoding:)``.
    public let histogram: String

    /// The report's key for each field.
    enum CodingKeys: String, CodingKey {
        case count
        case p50Nanoseconds = "p50_ns"
        case p90Nanoseconds = "p90_ns"
        case p99Nanoseconds = "p99_ns"
        case p999Nanoseconds = "p999_ns"
        case maxNanoseconds = "max_ns"
        case meanNanoseconds = "mean_ns"
        case histogram
    }

    init(
        count: UInt64,
        p50Nanoseconds: UInt64,
        p90Nanoseconds: UInt64,
        p99Nanoseconds: UInt64,
        p999Nanoseconds: UInt64,
        maxNanoseconds: UInt64,
        meanNanoseconds: UInt64,
        histogram: String
    ) {
        self.count = count
        self.p50Nanoseconds = p50Nanoseconds
        self.p90Nanoseconds = p90Nanoseconds
        self.p99Nanoseconds = p99Nanoseconds
        self.p999Nanoseconds = p999Nanoseconds
        self.maxNanoseconds = maxNanoseconds
        self.meanNanoseconds = meanNanoseconds
        self.histogram = histogram
    }

    /// The summary of all values behind `summaries`, merged exactly through their histograms.
    ///
    /// How shard or repeat reports combine: the result equals the summary of
    /// one recorder that saw every value. An empty sequence gives an empty
    /// summary; an undecodable histogram throws rather than merging as zero.
    public static func merged(_ summaries: some Sequence<LatencySummary>) throws(LatencyHistogramDecodingError) -> LatencySummary {
        var total = LatencyRecorder()
        for summary in summaries {
            total.merge(try LatencyRecorder(decoding: summary.histogram))
        }
        return total.summary()
    }
}
