import Histogram

/// A local latency histogram in nanoseconds: one per connection or worker, merged once at the end.
///
/// Why a value type with no lock: ARCHITECTURE.md rule 4 ("measure the system,
/// not the harness") forbids shared or locked recorders on the hot path. Each
/// task owns its recorder, records into it without synchronisation, and hands
/// it (it is `Sendable` as a value, never shared) to whoever merges at the end.
///
/// The layout is fixed so that any two recorders, and any two encoded
/// histograms, merge exactly:
/// - lowest discernible value 1 ns: loopback and in-memory operations take
///   tens of nanoseconds, so coarser units would blur them;
/// - highest trackable value 1 hour (3.6 × 10¹² ns): coordinated-omission
///   corrected latencies in open-model runs can grow towards the run's length,
///   and each further doubling of range costs only 8 KiB;
/// - 3 significant digits (0.1 % value resolution), HdrHistogram's usual
///   choice for latency.
///
/// Values above the highest trackable value are recorded *as* that value and
/// counted in ``clampedCount``, so they still weigh in every percentile and
/// are never dropped silently.
///
/// Cost: `record` is a few integer operations and one increment in a
/// preallocated array (about 4–7 ns in a release build); it never allocates
/// in optimised builds (unoptimised builds run the library's generic code
/// unspecialised, which boxes and frees a little per call). The counts
/// array, 33,792 counters (264 KiB; 320 KiB as jemalloc rounds it, see
/// ``footprintBytes``), is allocated once in `init`, so with
/// thousands of simulated connections prefer one recorder per worker task.
/// Copying a recorder and then recording into both copies duplicates that
/// array (copy-on-write), so record into the one you own.
public struct LatencyRecorder: Sendable, Equatable {
    /// The smallest value, in nanoseconds, told apart from zero (1 ns).
    ///
    /// Part of the fixed layout that makes every recorder mergeable with every other.
    public static let lowestDiscernibleValue: UInt64 = 1

    /// The largest value, in nanoseconds, recorded as itself (1 hour); larger values are clamped to it.
    ///
    /// Part of the fixed layout; clamped values are counted in ``clampedCount``.
    public static let highestTrackableValue: UInt64 = 3_600_000_000_000

    /// The number of significant decimal digits kept for every value (3, i.e. 0.1 %).
    ///
    /// Part of the fixed layout; the encoded histogram states it so a decoder can check it.
    public static let significantDigits = 3

    @usableFromInline var histogram: Histogram<UInt64>
    @usableFromInline var clampedValues: UInt64 = 0

    /// Creates an empty recorder with the fixed layout.
    ///
    /// Allocates the whole counts array now, so that recording never allocates.
    public init() {
        histogram = Histogram<UInt64>(
            lowestDiscernibleValue: Self.lowestDiscernibleValue,
            highestTrackableValue: Self.highestTrackableValue,
            numberOfSignificantValueDigits: .three
        )
    }

    /// Records one latency in nanoseconds; values above ``highestTrackableValue`` are clamped and counted.
    ///
    /// The hot path: inlinable, no lock, no allocation, no Foundation.
    @inlinable
    @inline(__always)
    public mutating func record(_ nanoseconds: UInt64) {
        if _fastPath(nanoseconds <= Self.highestTrackableValue) {
            histogram.record(nanoseconds)
        } else {
            histogram.record(Self.highestTrackableValue)
            clampedValues &+= 1
        }
    }

    /// Records one latency given as a `Duration` (e.g. from `ContinuousClock`); negative durations count as 0.
    ///
    /// Convenience for callers that time with Swift clocks; converts without
    /// allocating and truncates below a nanosecond.
    @inlinable
    public mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds < 0) {
            record(0 as UInt64)
        } else if seconds > Int64(Self.highestTrackableValue / 1_000_000_000) {
            record(UInt64.max)
        } else {
            record(UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000))
        }
    }

    /// Adds every value recorded in `other` to this recorder, exactly.
    ///
    /// How per-connection recorders become one figure at the end of a run;
    /// the result is the same as if all values had been recorded here.
    public mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
        clampedValues &+= other.clampedValues
    }

    /// The number of values recorded (clamped ones included).
    public var count: UInt64 { histogram.totalCount }

    /// The number of values that exceeded ``highestTrackableValue`` and were recorded as it.
    ///
    /// Non-zero means `max` and the top percentiles are lower bounds.
    public var clampedCount: UInt64 { clampedValues }

    /// The value at `percentile` (0–100, e.g. 99.9; outside that range or NaN is clamped into it), in nanoseconds; 0 when empty.
    ///
    /// HdrHistogram's definition: the highest value equivalent (within 0.1 %)
    /// to the one at that rank, capped at the exact maximum.
    public func percentile(_ percentile: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let bounded = percentile.isNaN ? 0 : Swift.min(Swift.max(percentile, 0), 100)
        return histogram.valueAtPercentile(bounded)
    }

    /// The largest value recorded, exactly, in nanoseconds; 0 when empty.
    ///
    /// Exact (not rounded to its bucket), and kept exact through encoding and merging.
    public var max: UInt64 { histogram.maxRecorded }

    /// The smallest value recorded, exactly, in nanoseconds; 0 when empty.
    ///
    /// Kept exact through encoding and merging (HdrHistogram tracks it separately from the buckets).
    public var min: UInt64 { count == 0 ? 0 : histogram.min }

    /// The mean of the recorded values, in nanoseconds, from bucket midpoints (within 0.1 %); 0 when empty.
    ///
    /// Computed from the buckets rather than a running sum so that it is
    /// reproduced exactly by an encoded or merged histogram.
    public var mean: Double { histogram.mean }

    /// The memory the counts array occupies, in bytes, as allocated (264 KiB requested; 320 KiB under jemalloc).
    ///
    /// For sizing: how many recorders a scenario can afford.
    public var footprintBytes: Int { histogram.estimatedFootprintInBytes }

    /// A snapshot for the run report: count, percentiles, max, mean and the encoded histogram.
    ///
    /// Computed once at the end of a run (it walks the buckets and encodes them).
    public func summary() -> LatencySummary {
        LatencySummary(
            count: count,
            p50Nanoseconds: percentile(50),
            p90Nanoseconds: percentile(90),
            p99Nanoseconds: percentile(99),
            p999Nanoseconds: percentile(99.9),
            maxNanoseconds: max,
            meanNanoseconds: count == 0 ? 0 : UInt64(mean.rounded()),
            histogram: encodedHistogram()
        )
    }

    /// Two recorders are equal when they hold the same counts, exact min and max, and clamped count.
    ///
    /// What "merges exactly" means, checked in tests.
    public static func == (lhs: LatencyRecorder, rhs: LatencyRecorder) -> Bool {
        lhs.clampedValues == rhs.clampedValues && lhs.histogram == rhs.histogram
            && lhs.max == rhs.max && lhs.min == rhs.min
    }
}
