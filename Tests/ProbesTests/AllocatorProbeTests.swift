import CJemalloc
@testable import Probes
import Testing

extension ProbesTests {
    @Suite struct AllocatorProbeTests {
        @Test func verificationNamesTheAllocatorThatServesMalloc() {
            let probe = AllocatorProbe()
            print("AllocatorProbe: \(probe.name) | version \(probe.jemallocVersion ?? "none") | \(probe.evidence)")
            if isUnderThreadSanitizer {
                // TSan's interceptors serve malloc, and TSan builds leave jemalloc out
                // (FLAGSTORM_NO_JEMALLOC=1); either way no byte figure may be trusted.
                #expect(probe.allocator != .jemalloc)
                #expect(["unknown (jemalloc not loaded)", "unknown (jemalloc linked but not serving malloc)"].contains(probe.name))
                #expect(probe.liveAllocatedBytes() == nil)
            } else {
                #expect(probe.jemallocVersion?.hasPrefix("5.") == true)
                #expect(probe.jemallocHasStatistics)
                // The test binary links jemalloc (ProbesTests -> Probes -> CJemalloc).
                #expect(probe.allocator == .jemalloc)
                #expect(probe.name == "jemalloc")
                #expect(probe.evidence.contains("libjemalloc"))
                #expect(probe.liveAllocatedBytes() != nil)
            }
        }

        @Test(.enabled(if: AllocatorProbe().allocator == .jemalloc, "live bytes need a verified jemalloc"))
        func liveBytesSeeRetainedBlocksAndTheirRelease() throws {
            let probe = AllocatorProbe()
            let blockCount = 10_000, blockSize = 256
            let retainedBound = 128 * 1024 // other threads' background allocation, tolerated either way
            var blocks: [UnsafeMutableRawPointer] = []
            blocks.reserveCapacity(blockCount) // so the array itself is allocated before the baseline

            let (retained, released) = firstClean({ () -> (Int, Int) in
                let baseline = probe.liveAllocatedBytes()!
                for _ in 0 ..< blockCount {
                    blocks.append(cjemalloc_process_malloc(blockSize)!)
                }
                let retained = probe.liveAllocatedBytes()! - baseline
                for block in blocks { cjemalloc_process_free(block) }
                blocks.removeAll(keepingCapacity: true)
                let released = probe.liveAllocatedBytes()! - baseline
                return (retained, released)
            }, isClean: { retained, released in
                retained >= blockCount * blockSize && retained <= blockCount * blockSize + retainedBound
                    && abs(released) <= retainedBound
            })
            print("AllocatorProbe: 10,000 x 256 B retained: +\(retained) B; after free: \(released) B")
            #expect(retained >= blockCount * blockSize)
            #expect(retained <= blockCount * blockSize + retainedBound)
            #expect(abs(released) <= retainedBound)
        }

        @Test func flushingCachesIsHarmlessWhateverTheAllocator() {
            let probe = AllocatorProbe()
            probe.flushCaches()
            probe.flushCaches()
            #expect((probe.liveAllocatedBytes(flushingCaches: false) != nil) == (probe.allocator == .jemalloc))
        }
    }
}
