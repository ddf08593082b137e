#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Histogram

/// The `histogram` text format, "fshdr1".
///
/// `"fshdr1:"` followed by standard base64 (with padding) of a byte payload
/// that is a sequence of LEB128 varints (7 bits per byte, low group first,
/// high bit set on all but the last byte):
///
/// 1. header, unsigned: lowest discernible value (1), highest trackable value
///    (3600000000000), significant digits (3), total count, clamped count,
///    exact minimum (0 if empty or a 0 was recorded), exact maximum;
/// 2. then, to the end of the payload, the bucket counts in ascending value
///    order from the bucket holding 0, ZigZag-encoded signed varints as in
///    HdrHistogram's V2 format: a positive n is one bucket holding n values,
///    a negative −k is k consecutive empty buckets. Buckets after the one
///    holding the maximum are omitted.
///
/// Buckets are HdrHistogram's equivalent-value ranges for this layout (2048
/// unit-wide buckets, then 1024 per power of two). It is V2's count payload
/// without V2's binary header and DEFLATE wrapper, which would need zlib;
/// the layout is fixed, so the text is canonical: equal histograms encode
/// to equal strings.
extension LatencyRecorder {
    /// The prefix that names the encoding format and its version ("fshdr1:").
    ///
    /// A reader that sees another prefix must not guess; a new layout or
    /// payload gets a new version.
    public static let encodingPrefix = "fshdr1:"

    /// The histogram as compact, exact, mergeable text in the "fshdr1" format.
    ///
    /// What a report stores under `histogram`, so reports from shards or
    /// repeated runs can be merged exactly later.
    public func encodedHistogram() -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for field in [
            Self.lowestDiscernibleValue, Self.highestTrackableValue, UInt64(Self.significantDigits),
            count, clampedCount, min, max,
        ] {
            Self.appendVarint(field, to: &bytes)
        }
        if count > 0 {
            var value: UInt64 = 0
            var emptyBuckets: Int64 = 0
            while value <= histogram.maxRecorded {
                let bucketCount = histogram.countForValue(value)
                if bucketCount == 0 {
                    emptyBuckets += 1
                } else {
                    if emptyBuckets > 0 {
                        Self.appendVarint(Self.zigZag(-emptyBuckets), to: &bytes)
                        emptyBuckets = 0
                    }
                    Self.appendVarint(Self.zigZag(Int64(bucketCount)), to: &bytes)
                }
                value = histogram.nextNonEquivalentForValue(value)
            }
        }
        return Self.encodingPrefix + Data(bytes).base64EncodedString()
    }

    /// Recreates a recorder from text made by ``encodedHistogram()``, exactly (counts, min, max, clamped count).
    ///
    /// How a merger turns reports back into recorders; it throws instead of
    /// guessing on any other format, layout or inconsistent payload.
    public init(decoding encoded: String) throws(LatencyHistogramDecodingError) {
        guard encoded.hasPrefix(Self.encodingPrefix) else { throw .unknownFormat }
        guard let data = Data(base64Encoded: String(encoded.dropFirst(Self.encodingPrefix.count))) else {
            throw .invalidBase64
        }
        var reader = VarintReader(bytes: [UInt8](data))
        let lowest = try reader.next()
        let highest = try reader.next()
        let digits = try reader.next()
        guard lowest == Self.lowestDiscernibleValue, highest == Self.highestTrackableValue,
              digits == UInt64(Self.significantDigits)
        else {
            throw .incompatibleLayout(lowestDiscernibleValue: lowest, highestTrackableValue: highest, significantDigits: digits)
        }
        let total = try reader.next()
        let clamped = try reader.next()
        let minimum = try reader.next()
        let maximum = try reader.next()
        guard clamped <= total else { throw .inconsistent("clamped count \(clamped) exceeds total count \(total)") }
        guard maximum <= highest else { throw .inconsistent("maximum \(maximum) exceeds highest trackable value") }
        guard minimum <= maximum else { throw .inconsistent("minimum \(minimum) exceeds maximum \(maximum)") }

        self.init()
        // Read the non-empty buckets as (lowest value in bucket, count).
        var buckets: [(value: UInt64, count: UInt64)] = []
        var value: UInt64 = 0
        var sum: UInt64 = 0
        while !reader.isAtEnd {
            let entry = Self.unZigZag(try reader.next())
            if entry < 0 {
                for _ in 0 ..< entry.magnitude {
                    value = histogram.nextNonEquivalentForValue(value)
                    guard value <= highest else { throw .inconsistent("buckets run past the highest trackable value") }
                }
            } else {
                guard entry > 0 else { throw .inconsistent("a bucket count of 0 (empty buckets are runs)") }
                guard value <= highest else { throw .inconsistent("buckets run past the highest trackable value") }
                buckets.append((value, UInt64(entry)))
                let (newSum, overflow) = sum.addingReportingOverflow(UInt64(entry))
                guard !overflow else { throw .inconsistent("bucket counts overflow") }
                sum = newSum
                value = histogram.nextNonEquivalentForValue(value)
            }
        }
        guard sum == total else { throw .inconsistent("bucket counts sum to \(sum), total count is \(total)") }
        guard let first = buckets.first, let last = buckets.last else { return }
        guard histogram.lowestEquivalentForValue(minimum) == first.value else {
            throw .inconsistent("minimum \(minimum) is not in the lowest non-empty bucket")
        }
        guard histogram.lowestEquivalentForValue(maximum) == last.value else {
            throw .inconsistent("maximum \(maximum) is not in the highest non-empty bucket")
        }
        guard total > 1 || minimum == maximum else {
            throw .inconsistent("one value recorded but minimum \(minimum) differs from maximum \(maximum)")
        }

        // Re-record each bucket at a value inside it. The lowest bucket's
        // values are recorded as the exact minimum and the highest bucket's as
        // the exact maximum, so min and max survive exactly (HdrHistogram
        // tracks them outside the buckets); other buckets use their lowest
        // value, which lies strictly between min and max and so moves neither.
        for (index, bucket) in buckets.enumerated() {
            if buckets.count == 1 {
                if bucket.count > 1 { histogram.record(minimum, count: bucket.count - 1) }
                histogram.record(maximum)
            } else if index == 0 {
                histogram.record(minimum, count: bucket.count)
            } else if index == buckets.count - 1 {
                histogram.record(maximum, count: bucket.count)
            } else {
                histogram.record(bucket.value, count: bucket.count)
            }
        }
        clampedValues = clamped
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    static func zigZag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    static func unZigZag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }
}

/// Reads unsigned LEB128 varints from a byte array.
struct VarintReader {
    let bytes: [UInt8]
    var position = 0

    var isAtEnd: Bool { position == bytes.count }

    mutating func next() throws(LatencyHistogramDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw .truncated }
            let byte = bytes[position]
            position += 1
            guard shift < 64, shift < 63 || byte <= 1 else { throw .inconsistent("a varint longer than 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }
}
