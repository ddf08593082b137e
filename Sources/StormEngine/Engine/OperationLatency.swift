import FeatureFlags
import StormReport

/// The engine's latency recorder for one operation.
///
/// Placeholder over the core's ``FeatureFlags/DurationHistogram`` until the
/// Probes target's HdrHistogram recorder is wired in.
struct OperationLatency: Sendable {
    private(set) var histogram = DurationHistogram()

    @inline(__always)
    mutating func record(_ nanoseconds: UInt64) { histogram.record(nanoseconds: nanoseconds) }

    mutating func merge(_ other: OperationLatency) { histogram.merge(other.histogram) }

    var count: Int { Int(histogram.count) }

    var entry: LatencyEntry {
        let count = histogram.count
        return LatencyEntry(count: Int(count),
                            p50Nanoseconds: Int64(histogram.percentile(0.5)),
                            p90Nanoseconds: Int64(histogram.percentile(0.9)),
                            p99Nanoseconds: Int64(histogram.percentile(0.99)),
                            p999Nanoseconds: Int64(histogram.percentile(0.999)),
                            maxNanoseconds: Int64(histogram.maxNanoseconds),
                            meanNanoseconds: count == 0 ? 0 : Int64(histogram.sumNanoseconds / count),
                            histogram: "")
    }
}
