/// A snapshot of what leaks would grow: allocator live bytes, open file descriptors, resident memory, threads.
///
/// The engine reads a baseline, runs N churn rounds, drains, reads again and
/// reports ``growth(from:)``; comparing two readings rather than looking at
/// one is what separates a leak from memory that was always in use. A figure
/// is `nil` when it cannot be measured truthfully (no verified allocator, no
/// `/proc`), never a guess.
public struct LeakReading: Sendable, Hashable, Codable {
    /// Bytes the verified allocator reports live (``AllocatorProbe/liveAllocatedBytes(flushingCaches:)``), or `nil`.
    ///
    /// The precise memory figure; `nil` unless jemalloc serves `malloc`.
    public var allocatedBytes: Int?
    /// Open file descriptors (``ProcessProbe/openFileDescriptorCount()``), or `nil`.
    ///
    /// Catches sockets and files left open.
    public var openFileDescriptors: Int?
    /// Resident set size in bytes (``ProcessProbe/residentSetBytes()``), or `nil`.
    ///
    /// Coarse, includes allocator caches; the fallback memory figure.
    public var residentBytes: Int?
    /// Threads in the process (``ProcessProbe/threadCount()``), or `nil`.
    ///
    /// Catches threads started and never stopped.
    public var threads: Int?

    /// Creates a reading from given figures.
    ///
    /// For tests and for runtimes that measure by other means (e.g. simulated runs).
    public init(allocatedBytes: Int?, openFileDescriptors: Int?, residentBytes: Int?, threads: Int?) {
        self.allocatedBytes = allocatedBytes
        self.openFileDescriptors = openFileDescriptors
        self.residentBytes = residentBytes
        self.threads = threads
    }

    /// Reads every figure now: allocator bytes first (after flushing caches), then descriptors, threads and RSS.
    ///
    /// Allocator bytes come first so the reading's own small allocations
    /// (directory and file buffers, freed before it returns) are not in
    /// them; RSS comes last so that it follows the allocator's purge. Not
    /// for measured windows: it makes system calls and, with jemalloc,
    /// flushes this thread's cache.
    public static func current(allocator: AllocatorProbe) -> LeakReading {
        let allocatedBytes = allocator.liveAllocatedBytes(flushingCaches: true)
        return LeakReading(
            allocatedBytes: allocatedBytes,
            openFileDescriptors: ProcessProbe.openFileDescriptorCount(),
            residentBytes: ProcessProbe.residentSetBytes(),
            threads: ProcessProbe.threadCount()
        )
    }

    /// What grew between `baseline` and this reading (negative when it shrank); `nil` where either lacks the figure.
    ///
    /// The `leaks` figures of the run report.
    public func growth(from baseline: LeakReading) -> LeakGrowth {
        func difference(_ now: Int?, _ then: Int?) -> Int? {
            guard let now, let then else { return nil }
            return now - then
        }
        return LeakGrowth(
            allocatedBytesGrowth: difference(allocatedBytes, baseline.allocatedBytes),
            fdGrowth: difference(openFileDescriptors, baseline.openFileDescriptors),
            residentBytesGrowth: difference(residentBytes, baseline.residentBytes),
            threadGrowth: difference(threads, baseline.threads)
        )
    }
}
