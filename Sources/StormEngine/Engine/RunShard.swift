/// One of `count` disjoint slices of a scenario's hosts (`--shard index/count`), so a fleet larger
/// than one machine holds runs as several processes whose reports merge exactly.
///
/// Why hosts, dealt round-robin: every figure the cache is judged on (fetches,
/// TTL windows, clients) is per host, so disjoint host sets make shard reports
/// add up; dealing by index spreads a Zipf fleet's popular hosts over the shards.
public struct RunShard: Sendable, Hashable, CustomStringConvertible {
    /// The slice, 1-based (`1...count`).
    public var index: Int
    /// How many slices there are.
    public var count: Int

    /// Parses `I/N` with `1 ≤ I ≤ N`; the error says what was wrong.
    public init(parsing text: String) throws(ShardSyntaxError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardSyntaxError(message: "expected I/N (e.g. 1/4), got '\(text)'")
        }
        guard count >= 1, index >= 1, index <= count else {
            throw ShardSyntaxError(message: "expected I/N with 1 ≤ I ≤ N, got '\(text)'")
        }
        self.index = index
        self.count = count
    }

    /// Whether host `hostIndex` (0-based, as the scenario numbers them) is in this slice.
    public func contains(host hostIndex: Int) -> Bool { hostIndex % count == index - 1 }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }
}

/// A `--shard` value that is not `I/N` with `1 ≤ I ≤ N`.
public struct ShardSyntaxError: Error, CustomStringConvertible {
    /// What was wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}
