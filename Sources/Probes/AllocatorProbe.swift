import CJemalloc
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which allocator serves the process's `malloc`, checked at run time, and its live-byte count when that is jemalloc.
///
/// Why checked rather than assumed: linking jemalloc does not guarantee it
/// serves `malloc` (ThreadSanitizer's interceptors replace `malloc`, and a
/// link order or preload can bind it elsewhere), and jemalloc's statistics
/// read while it is idle would report a confident, wrong zero. So `init`
/// allocates 1 MiB through the C `malloc` and watches who counted it; only a
/// verified jemalloc yields byte figures, anything else yields `nil`.
///
/// Create one per run (the check costs one 1 MiB allocation) and pass it
/// along; it holds no mutable state.
public struct AllocatorProbe: Sendable, Hashable {
    /// The allocators the probe can tell apart.
    ///
    /// Only ``jemalloc`` gives live-byte figures.
    public enum Allocator: String, Sendable, Hashable, Codable {
        /// jemalloc serves `malloc`: its `thread.allocated` rose by the probe allocation.
        case jemalloc
        /// glibc's malloc serves `malloc`: its mmapped-bytes count rose by the probe allocation.
        case glibc
        /// Neither counted the probe allocation (e.g. a sanitizer's allocator serves `malloc`).
        case unknown
    }

    /// The allocator that served the probe allocation.
    ///
    /// Decides whether ``liveAllocatedBytes(flushingCaches:)`` answers.
    public let allocator: Allocator

    /// The name for the report's `environment.allocator`: "jemalloc", "glibc", "unknown (jemalloc linked but not serving malloc)" or "unknown (jemalloc not loaded)".
    ///
    /// Says plainly when byte figures are missing and why.
    public let name: String

    /// jemalloc's version string from `mallctl("version")`, whether or not it serves `malloc`; `nil` if unreadable.
    ///
    /// Goes with allocation figures, which vary between allocator versions.
    public let jemallocVersion: String?

    /// What the check observed, in one line: counter deltas and the object that exports `malloc`.
    ///
    /// For logs and for people debugging a surprising ``name``.
    public let evidence: String

    /// Whether jemalloc was built with statistics (`config.stats`), without which it has no live-byte count.
    ///
    /// Debian's build has them; a build without would make byte figures `nil`.
    public let jemallocHasStatistics: Bool

    /// The size of the probe allocation (1 MiB).
    ///
    /// Large enough to stand out from any background allocation.
    public static let probeAllocationBytes = 1 << 20

    /// Checks now which allocator serves `malloc`, by allocating ``probeAllocationBytes`` through the C `malloc` and freeing it.
    ///
    /// Synchronous on the calling thread, as the check reads a per-thread counter.
    public init() {
        var statistics = false
        jemallocHasStatistics = cjemalloc_read_bool("config.stats", &statistics) == 0 && statistics
        var versionPointer: UnsafePointer<CChar>?
        if cjemalloc_read_string("version", &versionPointer) == 0, let versionPointer {
            jemallocVersion = String(cString: versionPointer)
        } else {
            jemallocVersion = nil
        }

        // Read both allocators' counters around one allocation, all on this
        // thread (thread.allocated is per thread) and with nothing else
        // allocating in between.
        var jemallocBefore: UInt64 = 0
        let jemallocCounts = cjemalloc_read_uint64("thread.allocated", &jemallocBefore) == 0
        let glibcBefore = cjemalloc_glibc_mmapped_bytes()
        let block = cjemalloc_process_malloc(Self.probeAllocationBytes)
        var jemallocAfter: UInt64 = 0
        let jemallocCountedAfter = cjemalloc_read_uint64("thread.allocated", &jemallocAfter) == 0
        let glibcAfter = cjemalloc_glibc_mmapped_bytes()
        cjemalloc_process_free(block)

        let jemallocDelta: UInt64? = jemallocCounts && jemallocCountedAfter ? jemallocAfter &- jemallocBefore : nil
        let glibcDelta = glibcAfter >= glibcBefore ? glibcAfter - glibcBefore : 0
        let probe = UInt64(Self.probeAllocationBytes)
        if block == nil {
            allocator = .unknown
        } else if let jemallocDelta, jemallocDelta >= probe {
            allocator = .jemalloc
        } else if UInt64(glibcDelta) >= probe {
            allocator = .glibc
        } else {
            allocator = .unknown
        }
        switch allocator {
        case .jemalloc: name = "jemalloc"
        case .glibc: name = "glibc"
        case .unknown:
            name = jemallocVersion == nil
                ? "unknown (jemalloc not loaded)"
                : "unknown (jemalloc linked but not serving malloc)"
        }
        let jemallocText = jemallocDelta.map { "\($0) B" } ?? "unreadable"
        evidence = "1 MiB malloc: jemalloc thread.allocated +\(jemallocText), glibc mmapped +\(glibcDelta) B; "
            + "malloc exported by \(Self.objectExportingMalloc() ?? "an unknown object")"
    }

    /// The bytes jemalloc reports as allocated by the application (`stats.allocated`), or `nil` unless jemalloc is verified.
    ///
    /// The figure behind `leaks.allocatedBytesGrowth`. With `flushingCaches`
    /// (the default) it first calls ``flushCaches()`` so that freed blocks
    /// parked in this thread's cache do not count as live; it always advances
    /// jemalloc's statistics epoch, without which it would return a stale
    /// figure. Objects in *other* threads' caches still count (jemalloc has no
    /// call to flush them), bounded by jemalloc's per-thread cache limits.
    public func liveAllocatedBytes(flushingCaches: Bool = true) -> Int? {
        guard allocator == .jemalloc, jemallocHasStatistics else { return nil }
        if flushingCaches { flushCaches() }
        guard cjemalloc_advance_epoch() == 0 else { return nil }
        var allocated = 0
        guard cjemalloc_read_size("stats.allocated", &allocated) == 0 else { return nil }
        return allocated
    }

    /// Flushes the calling thread's jemalloc cache and purges unused dirty pages of all arenas; does nothing unless jemalloc is verified.
    ///
    /// Makes successive leak readings steady: freed small blocks leave the
    /// thread cache (`thread.tcache.flush`) and unused pages go back to the
    /// system (`arena.<MALLCTL_ARENAS_ALL>.purge`), which also steadies RSS.
    public func flushCaches() {
        guard allocator == .jemalloc else { return }
        _ = cjemalloc_run("thread.tcache.flush")
        _ = cjemalloc_run("arena.\(MALLCTL_ARENAS_ALL).purge")
    }

    /// Bytes jemalloc has counted as allocated and deallocated by the calling thread over its life, or `nil` if unreadable.
    ///
    /// For tests that check a code path does not allocate: per thread
    /// (`thread.allocated`, `thread.deallocated`), so other threads' work does
    /// not disturb it. Meaningful only when ``allocator`` is `.jemalloc`.
    static func threadAllocationCounters() -> (allocated: UInt64, deallocated: UInt64)? {
        var allocated: UInt64 = 0
        var deallocated: UInt64 = 0
        guard cjemalloc_read_uint64("thread.allocated", &allocated) == 0,
              cjemalloc_read_uint64("thread.deallocated", &deallocated) == 0
        else { return nil }
        return (allocated, deallocated)
    }

    /// The path of the loaded object whose `malloc` the dynamic linker resolves first, from `/proc/self/maps`.
    static func objectExportingMalloc() -> String? {
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc"),
              let maps = ProcFile.contents(of: "/proc/self/maps")
        else { return nil }
        let target = UInt(bitPattern: address)
        for line in maps.split(separator: "\n") {
            // "start-end perms offset dev inode   path"
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6 else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                  start <= target, target < end
            else { continue }
            return fields[5...].joined(separator: " ")
        }
        return nil
    }
}
