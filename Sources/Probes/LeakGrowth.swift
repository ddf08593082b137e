/// How much each leak figure grew between two ``LeakReading``s; JSON keys match the report's `leaks` section.
///
/// `allocatedBytesGrowth` and `fdGrowth` are REPORT-SCHEMA.md's names; the
/// other two are extra evidence. `nil` means "not measured", never 0.
public struct LeakGrowth: Sendable, Hashable, Codable {
    /// Growth in allocator-reported live bytes, or `nil` without a verified allocator.
    ///
    /// The schema's `leaks.allocatedBytesGrowth`.
    public var allocatedBytesGrowth: Int?
    /// Growth in open file descriptors, or `nil` without `/proc`.
    ///
    /// The schema's `leaks.fdGrowth`.
    public var fdGrowth: Int?
    /// Growth in resident set size, in bytes, or `nil` without `/proc`.
    ///
    /// Coarse (allocator caches move it), so for context, not for gating.
    public var residentBytesGrowth: Int?
    /// Growth in the number of threads, or `nil` without `/proc`.
    ///
    /// Threads started and not stopped.
    public var threadGrowth: Int?

    /// Creates a growth record from given differences.
    ///
    /// Normally made by ``LeakReading/growth(from:)``; public for tests and golden files.
    public init(allocatedBytesGrowth: Int?, fdGrowth: Int?, residentBytesGrowth: Int?, threadGrowth: Int?) {
        self.allocatedBytesGrowth = allocatedBytesGrowth
        self.fdGrowth = fdGrowth
        self.residentBytesGrowth = residentBytesGrowth
        self.threadGrowth = threadGrowth
    }
}
