import CJemalloc
import Foundation
@testable import Probes
import Testing

extension ProbesTests {
    @Suite struct AllocatorProbeTests {
        /// The allocator this test process should have: `FLAGSTORM_EXPECT_ALLOCATOR` when CI says (it runs this suite
        /// once plainly and once under `LD_PRELOAD` of jemalloc), else whatever is loaded (`swift test` never preloads).
        static var expectedAllocator: AllocatorProbe.Allocator {
            if isUnderThreadSanitizer { return .unknown }
            if let expected = ProcessInfo.processInfo.environment["FLAGSTORM_EXPECT_ALLOCATOR"],
               let allocator = AllocatorProbe.Allocator(rawValue: expected) {
                return allocator
            }
            return AllocatorSelection.jemallocIsLoaded ? .jemalloc : .glibc
        }

        @Test func verificationNamesTheAllocatorThatServesMalloc() {
            let probe = AllocatorProbe()
            print("AllocatorProbe: \(probe.name) | version \(probe.jemallocVersion ?? "none") | \(probe.evidence)")
            switch Self.expectedAllocator {
            case .unknown:
                // TSan's interceptors serve malloc, and TSan runs never preload jemalloc
                // (FLAGSTORM_NO_JEMALLOC=1); no byte figure may be trusted.
                #expect(probe.allocator == .unknown)
                #expect(probe.name.hasPrefix("unknown ("))
                #expect(probe.liveAllocatedBytes() == nil)
                #expect(!probe.measuresLiveBytes)
            case .jemalloc:
                #expect(probe.jemallocVersion?.hasPrefix("5.") == true)
                #expect(probe.jemallocHasStatistics)
                #expect(probe.allocator == .jemalloc)
                #expect(probe.name == "jemalloc")
                #expect(probe.evidence.contains("libjemalloc"))
                #expect(probe.liveAllocatedBytes() != nil)
            case .glibc:
                // No jemalloc in the process: glibc's own counters measure, and say so.
                #expect(probe.jemallocVersion == nil)
                #expect(probe.allocator == .glibc)
                #expect(probe.name == "glibc")
                #expect(probe.evidence.contains("libc.so"))
                #expect(probe.measuresLiveBytes)
                #expect(probe.liveAllocatedBytes() != nil)
                #expect(AllocatorProbe.glibcVersion.hasPrefix("2."))
            }
        }

        @Test(.enabled(if: AllocatorProbe().measuresLiveBytes, "live bytes need a verified jemalloc or glibc"))
        func liveBytesSeeRetainedBlocksAndTheirRelease() throws {
            let probe = AllocatorProbe()
            let blockCount = 10_000, blockSize = 256
            // Other threads' background allocation, tolerated either way; glibc counts
            // each chunk with its 16-byte header, and its figure is process-wide.
            let retainedBound = 128 * 1024 + (probe.allocator == .glibc ? blockCount * 16 : 0)
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
            print("AllocatorProbe (\(probe.name)): 10,000 x 256 B retained: +\(retained) B; after free: \(released) B")
            #expect(retained >= blockCount * blockSize)
            #expect(retained <= blockCount * blockSize + retainedBound)
            #expect(abs(released) <= retainedBound)
        }

        @Test func flushingCachesIsHarmlessWhateverTheAllocator() {
            let probe = AllocatorProbe()
            probe.flushCaches()
            probe.flushCaches()
            #expect((probe.liveAllocatedBytes(flushingCaches: false) != nil) == (probe.allocator != .unknown))
        }
    }
}
