import CJemalloc
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Probes
import Testing

extension ProbesTests {
    @Suite struct LeakReadingTests {
        @Test func growthSubtractsTheBaselineAndKeepsMissingFiguresMissing() {
            let baseline = LeakReading(allocatedBytes: 1_000, openFileDescriptors: 10, residentBytes: nil, threads: 4)
            let later = LeakReading(allocatedBytes: 900, openFileDescriptors: 13, residentBytes: 5_000, threads: 4)
            #expect(later.growth(from: baseline) == LeakGrowth(
                allocatedBytesGrowth: -100, fdGrowth: 3, residentBytesGrowth: nil, threadGrowth: 0))
        }

        @Test func growthUsesTheReportSchemasKeys() throws {
            let growth = LeakGrowth(allocatedBytesGrowth: 0, fdGrowth: 2, residentBytesGrowth: 4_096, threadGrowth: 0)
            let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(growth)) as? [String: Any])
            #expect(Set(object.keys) == ["allocatedBytesGrowth", "fdGrowth", "residentBytesGrowth", "threadGrowth"])
            #expect(object["fdGrowth"] as? Int == 2)
        }

        @Test func aLeakBetweenReadingsShowsAsGrowth() {
            let probe = AllocatorProbe()
            let leakBytes = 1 << 20
            var leakedDescriptors: [Int32] = [0, 0]
            let growth = firstClean({ () -> LeakGrowth in
                let baseline = LeakReading.current(allocator: probe)
                // A "churn round" that leaks 1 MiB in small blocks and a pipe.
                var blocks: [UnsafeMutableRawPointer] = []
                blocks.reserveCapacity(leakBytes / 1_024)
                for _ in 0 ..< leakBytes / 1_024 { blocks.append(cjemalloc_process_malloc(1_024)!) }
                precondition(pipe(&leakedDescriptors) == 0)
                let growth = LeakReading.current(allocator: probe).growth(from: baseline)
                for block in blocks { cjemalloc_process_free(block) }
                close(leakedDescriptors[0]); close(leakedDescriptors[1])
                return growth
            }, isClean: { growth in
                growth.fdGrowth == 2
                    && (growth.allocatedBytesGrowth.map { $0 >= leakBytes && $0 < leakBytes + 512 * 1_024 } ?? true)
            })
            #expect(growth.fdGrowth == 2)
            #expect(growth.threadGrowth != nil && growth.residentBytesGrowth != nil)
            if probe.measuresLiveBytes {
                // The blocks plus the array that holds them (8 B per block), and under glibc a 16-byte chunk header each.
                let overhead = probe.allocator == .glibc ? leakBytes / 1_024 * 16 : 0
                #expect(growth.allocatedBytesGrowth.map { $0 >= leakBytes && $0 < leakBytes + overhead + 256 * 1_024 } == true,
                        "allocatedBytesGrowth \(growth.allocatedBytesGrowth.map(String.init) ?? "nil")")
            } else {
                #expect(growth.allocatedBytesGrowth == nil)
            }
        }
    }
}
