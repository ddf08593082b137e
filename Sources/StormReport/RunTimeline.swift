/// The run over time, in equal buckets from its start: what the HTML report charts.
///
/// Why columns of counts: a run of minutes over thousands of hosts must stay a
/// small file, and shard reports merge by adding columns element by element.
/// Everything here is counted once by the engine (the server's journal for
/// fetches, the TTL windows for the minimum, a sampler for live counts);
/// renderers only draw it.
public struct RunTimeline: Codable, Sendable, Hashable {
    /// The width of every bucket, in nanoseconds.
    public var bucketNanoseconds: Int64
    /// The most connections live at a sample within each bucket.
    public var liveConnections: [Int]
    /// The most telemetry clients live at a sample within each bucket.
    public var liveClients: [Int]
    /// Requests the fake server received in each bucket (all hosts).
    public var fetches: [Int]
    /// Of those, the ones it answered with 429.
    public var rateLimited: [Int]
    /// The busiest hosts by fetches (at most ``maximumHosts``), each with its fetches and minimum per bucket.
    public var hosts: [HostTimeline]
    /// The server's per-host rate limit as a sustained rate, in requests per second (`nil`: no limit).
    public var perHostLimitPerSecond: Double?
    /// The server's global rate limit as a sustained rate, in requests per second (`nil`: no limit).
    public var globalLimitPerSecond: Double?

    /// How many hosts a timeline keeps (the busiest), so a 10,000-host run's report stays small.
    public static let maximumHosts = 8

    /// Creates a timeline; every column has one entry per bucket.
    public init(bucketNanoseconds: Int64, liveConnections: [Int] = [], liveClients: [Int] = [], fetches: [Int] = [],
                rateLimited: [Int] = [], hosts: [HostTimeline] = [], perHostLimitPerSecond: Double? = nil,
                globalLimitPerSecond: Double? = nil) {
        self.bucketNanoseconds = bucketNanoseconds
        self.liveConnections = liveConnections
        self.liveClients = liveClients
        self.fetches = fetches
        self.rateLimited = rateLimited
        self.hosts = hosts
        self.perHostLimitPerSecond = perHostLimitPerSecond
        self.globalLimitPerSecond = globalLimitPerSecond
    }

    /// The number of buckets (the longest column).
    public var bucketCount: Int {
        ([liveConnections.count, liveClients.count, fetches.count, rateLimited.count] + hosts.map { max($0.fetches.count, $0.minimum.count) }).max() ?? 0
    }

    enum CodingKeys: String, CodingKey {
        case bucketNanoseconds = "bucket_ns"
        case liveConnections, liveClients, fetches, rateLimited, hosts, perHostLimitPerSecond, globalLimitPerSecond
    }
}

/// One host's fetches over time beside the fewest a correct cache could have made.
public struct HostTimeline: Codable, Sendable, Hashable {
    /// The host's plain (normalised) name.
    public var host: String
    /// Requests the server received for the host in each bucket.
    public var fetches: [Int]
    /// TTL windows that opened in each bucket (a correct cache's fetches: their sum is the host's `minimum`).
    public var minimum: [Int]

    /// Creates one host's columns.
    public init(host: String, fetches: [Int], minimum: [Int]) {
        self.host = host
        self.fetches = fetches
        self.minimum = minimum
    }
}

/// One point of an operation's latency percentile curve (HdrHistogram's percentile distribution).
public struct LatencyPercentile: Codable, Sendable, Hashable {
    /// The percentile, 0–100 (e.g. 99.9).
    public var percentile: Double
    /// The latency at that percentile, in nanoseconds.
    public var valueNanoseconds: Int64

    /// Creates a point.
    public init(percentile: Double, valueNanoseconds: Int64) {
        self.percentile = percentile
        self.valueNanoseconds = valueNanoseconds
    }

    /// The percentiles every curve is read at: linear to the median, then halving the remainder (as HdrHistogram's distribution output does).
    public static let standardPercentiles: [Double] = [
        0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100,
    ]

    enum CodingKeys: String, CodingKey {
        case percentile
        case valueNanoseconds = "value_ns"
    }
}

/// A duration histogram as the core's lock statistics keep it: 8 buckets per
/// power of two, stored sparsely, so lock waits from shards merge exactly.
///
/// Same shape as the core's `DurationHistogram` encoding (`buckets` as
/// `[index, count]` pairs, `count`, `max_ns`, `sum_ns`); the report keeps it
/// opaque and the engine decodes it to merge.
public struct DurationBuckets: Codable, Sendable, Hashable {
    /// Non-empty buckets as `[index, count]` pairs.
    public var buckets: [[UInt64]]
    /// Number of recorded durations.
    public var count: UInt64
    /// The longest recorded duration, in nanoseconds.
    public var maxNanoseconds: UInt64
    /// The sum of recorded durations, in nanoseconds (saturating).
    public var sumNanoseconds: UInt64

    /// Creates a sparse histogram.
    public init(buckets: [[UInt64]], count: UInt64, maxNanoseconds: UInt64, sumNanoseconds: UInt64) {
        self.buckets = buckets
        self.count = count
        self.maxNanoseconds = maxNanoseconds
        self.sumNanoseconds = sumNanoseconds
    }

    enum CodingKeys: String, CodingKey {
        case buckets, count
        case maxNanoseconds = "max_ns", sumNanoseconds = "sum_ns"
    }
}
