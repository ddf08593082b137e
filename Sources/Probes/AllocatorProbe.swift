import CJemalloc
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which allocator serves the process's `malloc`, checked at run time, and its live-byte count.
///
/// Why checked rather than assumed: whether jemalloc serves `malloc` is
/// decided when the process starts (flagstorm re-executes itself under
/// `LD_PRELOAD` when `libjemalloc.so.2` is present, see ``AllocatorSelection``),
/// never at build time; and even a preloaded jemalloc may not serve `malloc`
/// (ThreadSanitizer's interceptors replace it), while an idle allocator's
/// statistics would report a confident, wrong zero. So `init` allocates 1 MiB
/// through the C `malloc` and watches who counted it. A verified jemalloc
/// gives live bytes from `stats.allocated`, a verified glibc from
/// `mallinfo2()` (bytes in use in every arena plus mmapped chunks); anything
/// else yields `nil`.
///
/// Create one per run (the check costs one 1 MiB allocation) and pass it
/// along; it holds no mutable state.
public struct AllocatorProbe: Sendable, Hashable {
    /// The allocators the probe can tell apart.
    ///
    /// ``jemalloc`` and ``glibc`` give live-byte figures; ``unknown`` none.
    public enum Allocator: String, Sendable, Hashable, Codable {
        /// jemalloc serves `malloc`: its `thread.allocated` rose by the probe allocation.
        case jemalloc
        /// glibc's malloc serves `malloc`: the dynamic linker binds `malloc` to the C library (its in-use count, `mallinfo2`, is the evidence).
        case glibc
        /// Neither counted the probe allocation (e.g. a sanitizer's allocator serves `malloc`).
        case unknown
    }

    /// The allocator that served the probe allocation.
    ///
    /// Decides how ``liveAllocatedBytes(flushingCaches:)`` measures.
    public let allocator: Allocator

    /// The name for the report's `environment.allocator`: "jemalloc", "glibc", "unknown (jemalloc loaded but not serving malloc)" or "unknown (neither jemalloc nor glibc counted a malloc)".
    ///
    /// Says plainly when byte figures are missing and why.
    public let name: String

    /// jemalloc's version string from `mallctl("version")`, whether or not it serves `malloc`; `nil` if unreadable.
    ///
    /// Goes with allocation figures, which vary between allocator versions.
    public let jemallocVersion: String?

    /// The C library's version (`gnu_get_libc_version`, e.g. "2.36"), which is the allocator's when ``allocator`` is ``Allocator/glibc``.
    public static var glibcVersion: String { String(cString: cjemalloc_glibc_version()) }

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

    /// jemalloc's `MALLCTL_ARENAS_ALL` (4096 in every jemalloc 5 release), spelled out so the package needs no jemalloc header to build.
    static let jemallocAllArenas = 4096

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
        // allocating in between. glibc's figure counts every thread, so it is
        // read as "rose by at least the probe", which other threads' frees
        // could only hide, never fake.
        var jemallocBefore: UInt64 = 0
        let jemallocCounts = cjemalloc_read_uint64("thread.allocated", &jemallocBefore) == 0
        let glibcBefore = cjemalloc_glibc_in_use_bytes()
        let block = cjemalloc_process_malloc(Self.probeAllocationBytes)
        var jemallocAfter: UInt64 = 0
        let jemallocCountedAfter = cjemalloc_read_uint64("thread.allocated", &jemallocAfter) == 0
        let glibcAfter = cjemalloc_glibc_in_use_bytes()
        cjemalloc_process_free(block)

        let jemallocDelta: UInt64? = jemallocCounts && jemallocCountedAfter ? jemallocAfter &- jemallocBefore : nil
        let glibcDelta = glibcAfter >= glibcBefore ? glibcAfter - glibcBefore : 0
        let probe = UInt64(Self.probeAllocationBytes)
        let exporter = Self.objectExportingMalloc()
        if block == nil {
            allocator = .unknown
        } else if let jemallocDelta, jemallocDelta >= probe {
            allocator = .jemalloc
        } else if exporter.map(Self.isCLibrary) == true {
            // glibc's count is process-wide, so another thread's frees during the probe can hide its
            // +1 MiB; the dynamic linker's binding of `malloc` to libc itself cannot be hidden (a
            // sanitizer or a preloaded allocator would export it first), so it decides.
            allocator = .glibc
        } else {
            allocator = .unknown
        }
        switch allocator {
        case .jemalloc: name = "jemalloc"
        case .glibc: name = "glibc"
        case .unknown:
            name = jemallocVersion == nil
                ? "unknown (neither jemalloc nor glibc counted a malloc)"
                : "unknown (jemalloc loaded but not serving malloc)"
        }
        let jemallocText = jemallocDelta.map { "\($0) B" } ?? "unreadable"
        evidence = "1 MiB malloc: jemalloc thread.allocated +\(jemallocText), glibc in use +\(glibcDelta) B; "
            + "malloc exported by \(exporter ?? "an unknown object")"
    }

    /// Whether ``liveAllocatedBytes(flushingCaches:)`` gives a figure: a verified jemalloc with statistics, or a verified glibc.
    ///
    /// Lets a report say "not measured" instead of showing a zero.
    public var measuresLiveBytes: Bool {
        switch allocator {
        case .jemalloc: jemallocHasStatistics
        case .glibc: true
        case .unknown: false
        }
    }

    /// The bytes the verified allocator reports as allocated by the application, or `nil` when it cannot be measured.
    ///
    /// The figure behind `leaks.allocatedBytesGrowth`. jemalloc: `stats.allocated`
    /// (with `flushingCaches`, the default, ``flushCaches()`` runs first so
    /// that freed blocks parked in this thread's cache do not count as live;
    /// the statistics epoch is always advanced, without which the figure is
    /// stale). Objects in *other* threads' caches still count, bounded by
    /// jemalloc's per-thread cache limits. glibc: `mallinfo2()`'s bytes in use
    /// in every arena plus mmapped chunks; freed chunks in threads' tcaches
    /// count as in use (at most 7 per size class and thread), so the two
    /// allocators' figures are each steady but not equal to each other.
    public func liveAllocatedBytes(flushingCaches: Bool = true) -> Int? {
        switch allocator {
        case .jemalloc:
            guard jemallocHasStatistics else { return nil }
            if flushingCaches { flushCaches() }
            guard cjemalloc_advance_epoch() == 0 else { return nil }
            var allocated = 0
            guard cjemalloc_read_size("stats.allocated", &allocated) == 0 else { return nil }
            return allocated
        case .glibc:
            if flushingCaches { flushCaches() }
            return Int(clamping: cjemalloc_glibc_in_use_bytes())
        case .unknown:
            return nil
        }
    }

    /// Flushes allocator caches so that successive leak readings are steady; does nothing unless the allocator is verified.
    ///
    /// jemalloc: freed small blocks leave the calling thread's cache
    /// (`thread.tcache.flush`) and unused pages of every arena go back to the
    /// system (`arena.<MALLCTL_ARENAS_ALL>.purge`), which also steadies RSS.
    /// glibc: `malloc_trim(0)` returns free pages to the system (RSS only;
    /// its in-use count does not move).
    public func flushCaches() {
        switch allocator {
        case .jemalloc:
            _ = cjemalloc_run("thread.tcache.flush")
            _ = cjemalloc_run("arena.\(Self.jemallocAllArenas).purge")
        case .glibc:
            _ = cjemalloc_glibc_trim()
        case .unknown:
            break
        }
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

    /// Whether `path` is the C library itself (`/usr/lib/x86_64-linux-gnu/libc.so.6`), not an object that merely has "libc" in its name.
    static func isCLibrary(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name == "libc.so.6" || name.hasPrefix("libc-2.") || name == "libc.so"
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
