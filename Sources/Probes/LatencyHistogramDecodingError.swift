/// Why an encoded latency histogram could not be decoded.
///
/// Reports from other runs or shards are input the merger does not control;
/// a bad one must fail loudly rather than merge as zeros.
public enum LatencyHistogramDecodingError: Error, Hashable, Sendable {
    /// The text does not start with ``LatencyRecorder/encodingPrefix`` (another format or version).
    case unknownFormat
    /// The text after the prefix is not valid base64.
    case invalidBase64
    /// The payload ends inside a number or before its header is complete.
    case truncated
    /// The histogram was recorded with another layout, so it cannot merge exactly with this one.
    case incompatibleLayout(lowestDiscernibleValue: UInt64, highestTrackableValue: UInt64, significantDigits: UInt64)
    /// The payload's parts contradict each other (counts, min, max or buckets out of range); the text says which.
    case inconsistent(String)
}
