import Probes
import StormReport

/// The engine's latency recorder for one operation: an HdrHistogram (Probes'
/// ``Probes/LatencyRecorder``) whose summary goes into the report with its
/// encoded histogram, so reports from shards or repeats merge exactly.
struct OperationLatency: Sendable {
    private(set) var recorder = LatencyRecorder()

    @inline(__always)
    mutating func record(_ nanoseconds: UInt64) { recorder.record(nanoseconds) }

    mutating func merge(_ other: OperationLatency) { recorder.merge(other.recorder) }

    var count: Int { Int(recorder.count) }

    var entry: LatencyEntry {
        let summary = recorder.summary()
        return LatencyEntry(count: Int(summary.count),
                            p50Nanoseconds: Int64(summary.p50Nanoseconds),
                            p90Nanoseconds: Int64(summary.p90Nanoseconds),
                            p99Nanoseconds: Int64(summary.p99Nanoseconds),
                            p999Nanoseconds: Int64(summary.p999Nanoseconds),
                            maxNanoseconds: Int64(summary.maxNanoseconds),
                            meanNanoseconds: Int64(summary.meanNanoseconds),
                            histogram: summary.histogram,
                            percentiles: LatencyPercentile.standardPercentiles.map {
                                LatencyPercentile(percentile: $0, valueNanoseconds: Int64(recorder.percentile($0)))
                            })
    }
}
