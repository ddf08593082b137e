#if canImport(Glibc)
import Glibc
#endif
import Probes
import Testing

extension ProbesTests {
    @Suite struct ProcessProbeTests {
        @Test func tenPipesRaiseTheDescriptorCountByExactlyTwenty() throws {
            let (opened, closed) = firstClean({ () -> (Int, Int) in
                let baseline = ProcessProbe.openFileDescriptorCount()!
                var pipes: [Int32] = []
                for _ in 0 ..< 10 {
                    var ends: [Int32] = [0, 0]
                    precondition(pipe(&ends) == 0)
                    pipes += ends
                }
                let opened = ProcessProbe.openFileDescriptorCount()! - baseline
                for descriptor in pipes { close(descriptor) }
                let closed = ProcessProbe.openFileDescriptorCount()! - baseline
                return (opened, closed)
            }, isClean: { $0 == (20, 0) })
            #expect(opened == 20)
            #expect(closed == 0)
        }

        @Test func anOpenPipeIsNamedByItsDescriptorAndGoneOnceClosed() throws {
            var ends: [Int32] = [0, 0]
            precondition(pipe(&ends) == 0)
            let open = try #require(ProcessProbe.openFileDescriptors())
            #expect(open[ends[0]]?.hasPrefix("pipe:[") == true)
            #expect(open[ends[1]] == open[ends[0]])
            close(ends[0]); close(ends[1])
            let after = try #require(ProcessProbe.openFileDescriptors())
            // Another test may reuse the numbers at once, but never for this pipe.
            #expect(after[ends[0]] != open[ends[0]])
        }

        @Test func residentMemoryAndThreadsAreRead() throws {
            let resident = try #require(ProcessProbe.residentSetBytes())
            #expect(resident > 1 << 20)
            let threads = try #require(ProcessProbe.threadCount())
            #expect(threads >= 1)
        }

        @Test func touchingMemoryRaisesResidentSetSize() {
            let size = 32 << 20
            let growth = firstClean({ () -> Int in
                let before = ProcessProbe.residentSetBytes()!
                let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
                defer { block.deallocate() }
                memset(block, 1, size)
                return ProcessProbe.residentSetBytes()! - before
            }, isClean: { $0 >= size / 2 })
            #expect(growth >= size / 2, "RSS grew by \(growth) B after touching \(size) B")
        }

        @Test func aRunningThreadIsCountedAndAJoinedOneIsNot() {
            let (started, joined) = firstClean({ () -> (Int, Int) in
                let before = ProcessProbe.threadCount()!
                var pipeEnds: [Int32] = [0, 0]
                precondition(pipe(&pipeEnds) == 0)
                defer { close(pipeEnds[0]); close(pipeEnds[1]) }
                // The thread blocks reading the pipe until the test writes to it.
                let readEnd = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
                readEnd.pointee = pipeEnds[0]
                defer { readEnd.deallocate() }
                var thread = pthread_t()
                precondition(pthread_create(&thread, nil, { argument in
                    var byte: UInt8 = 0
                    _ = read(argument!.assumingMemoryBound(to: Int32.self).pointee, &byte, 1)
                    return nil
                }, readEnd) == 0)
                let during = ProcessProbe.threadCount()!
                var byte: UInt8 = 1
                _ = write(pipeEnds[1], &byte, 1)
                pthread_join(thread, nil)
                let after = ProcessProbe.threadCount()!
                return (during - before, after - before)
            }, isClean: { $0 == (1, 0) })
            #expect(started == 1)
            #expect(joined == 0)
        }
    }
}
