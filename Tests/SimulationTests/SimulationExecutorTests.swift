import Simulation
import Testing

/// Five tasks append their name three times each, yielding between appends: the final order depends only on the schedule.
func racyAppends(on executor: SimulationExecutor, seed: UInt64, strategy: SchedulingStrategy = .random) throws -> [Int] {
    let log = Recorder<Int>()
    try executor.run(seed: seed, strategy: strategy) {
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<5 {
                group.addTask {
                    for _ in 0..<3 {
                        log.append(worker)
                        await Task.yield()
                    }
                }
            }
        }
    }
    return log.items
}

/// Two tasks each read a counter, yield, and write back the value they read plus one: a lost update when they interleave.
func checkThenAct(on executor: SimulationExecutor, seed: UInt64, strategy: SchedulingStrategy) throws -> Int {
    let counter = Cell()
    try executor.run(seed: seed, strategy: strategy) {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    let seen = counter.read()
                    await Task.yield()
                    counter.write(seen + 1)
                }
            }
        }
    }
    return counter.read()
}

@Test func theBodysResultIsReturned() throws {
    let executor = SimulationExecutor()
    #expect(try executor.run(seed: 1) { 6 * 7 } == 42)
}

@Test func theBodysErrorIsRethrown() {
    struct Boom: Error, Equatable {}
    let executor = SimulationExecutor()
    #expect(throws: Boom()) {
        try executor.run(seed: 1) { () async throws -> Int in throw Boom() }
    }
}

@Test func theSameSeedGivesTheIdenticalTrace() throws {
    let executor = SimulationExecutor()
    let first = try racyAppends(on: executor, seed: 1234)
    let firstTrace = try #require(executor.lastTrace)
    let second = try racyAppends(on: executor, seed: 1234)
    let secondTrace = try #require(executor.lastTrace)
    #expect(first == second)
    #expect(firstTrace.digest == secondTrace.digest)
    #expect(firstTrace.events == secondTrace.events)
    #expect(firstTrace.stepCount > 15)
}

@Test func differentSeedsGiveDifferentInterleavings() throws {
    let executor = SimulationExecutor()
    var orders = Set<[Int]>()
    var digests = Set<UInt64>()
    for seed in 0..<50 {
        orders.insert(try racyAppends(on: executor, seed: UInt64(seed)))
        digests.insert(try #require(executor.lastTrace).digest)
    }
    #expect(orders.count >= 2)
    #expect(digests.count >= orders.count)
}

@Test func randomSchedulingFindsACheckThenActRaceAndItsSeedReplays() throws {
    let executor = SimulationExecutor()
    let failing = try #require(try (0..<100).first { seed in
        try checkThenAct(on: executor, seed: UInt64(seed), strategy: .random) != 2
    })
    let failingDigest = try #require(executor.lastTrace).digest
    for _ in 0..<10 {
        #expect(try checkThenAct(on: executor, seed: UInt64(failing), strategy: .random) == 1)
        #expect(executor.lastTrace?.digest == failingDigest)
    }
}

@Test func pctWithDepthTwoFindsTheCheckThenActRace() throws {
    let executor = SimulationExecutor()
    let strategy = SchedulingStrategy.pct(depth: 2, expectedSteps: 12)
    let failing = try #require(try (0..<200).first { seed in
        try checkThenAct(on: executor, seed: UInt64(seed), strategy: strategy) != 2
    })
    let failingDigest = try #require(executor.lastTrace).digest
    #expect(try checkThenAct(on: executor, seed: UInt64(failing), strategy: strategy) == 1)
    #expect(executor.lastTrace?.digest == failingDigest)
}

@Test func pctWithDepthOneNeverPreemptsAndSoMissesTheRace() throws {
    // Depth 1 has no change points: the highest-priority task runs until it finishes,
    // so the read-yield-write of one task is never split. A check that the race above
    // is found by PCT's change points, not by accident.
    let executor = SimulationExecutor()
    for seed in 0..<50 {
        #expect(try checkThenAct(on: executor, seed: UInt64(seed), strategy: .pct(depth: 1)) == 2)
    }
}

@Test func taskGroupChildrenInheritTheExecutor() throws {
    let executor = SimulationExecutor()
    let expected = executor.asUnownedTaskExecutor()
    let onExecutor = Recorder<Bool>()
    @Sendable func record() { onExecutor.append(withUnsafeCurrentTask { $0?.unownedTaskExecutor == expected }) }
    try executor.run(seed: 8) {
        record()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { record(); await Task.yield(); record() } }
        }
        await withDiscardingTaskGroup { group in
            for _ in 0..<3 { group.addTask { record(); await Task.yield(); record() } }
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { record() }
        }
    }
    #expect(onExecutor.items.count == 14)
    #expect(onExecutor.items.allSatisfy { $0 })
    // Body plus seven children, all seen by the executor.
    #expect(try #require(executor.lastTrace).taskCount >= 8)
}

@Test func yieldingLetsOtherTasksRun() throws {
    let executor = SimulationExecutor()
    let log = Recorder<String>()
    // With yields, some seed must interleave the two tasks; without the executor
    // honouring yields, each task would always run to its end.
    var interleaved = false
    for seed in 0..<20 where !interleaved {
        let before = log.items.count
        try executor.run(seed: UInt64(seed)) {
            await withTaskGroup(of: Void.self) { group in
                for name in ["a", "b"] {
                    group.addTask {
                        log.append(name)
                        await Task.yield()
                        log.append(name)
                    }
                }
            }
        }
        let run = Array(log.items[before...])
        interleaved = run[0] != run[1]
    }
    #expect(interleaved)
}

@Test func anAsyncStreamFedInsideTheSimulationStaysInside() throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    let received = try executor.run(seed: 11) { () -> [UInt64] in
        let (stream, continuation) = AsyncStream<UInt64>.makeStream()
        return try await withThrowingTaskGroup(of: [UInt64].self) { group in
            group.addTask {
                var values: [UInt64] = []
                for await value in stream { values.append(value) }
                return values
            }
            group.addTask {
                for _ in 0..<3 {
                    try await clock.sleep(for: .seconds(10))
                    continuation.yield(clock.now)
                }
                continuation.finish()
                return []
            }
            var all: [UInt64] = []
            for try await values in group { all += values }
            return all
        }
    }
    #expect(received == [10_000_000_000, 20_000_000_000, 30_000_000_000])
}

@Test func notesRecordTheirVirtualTimeAndTask() throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    try executor.run(seed: 6) {
        executor.note("conn 1 opened")
        try await clock.sleep(for: .seconds(2))
        executor.note("conn 1 acquired host-3")
    }
    let trace = try #require(executor.lastTrace)
    let notes = trace.notes
    #expect(notes.map(\.kind) == [.note("conn 1 opened"), .note("conn 1 acquired host-3")])
    #expect(notes.map(\.virtualTime) == [0, 2_000_000_000])
    #expect(notes.map(\.task) == [1, 1])
    #expect(trace.rendered(notesOnly: true).contains("#2 t+2.000000000s task 1: conn 1 acquired host-3"))
}

@Test func notesChangeTheDigest() throws {
    let executor = SimulationExecutor()
    try executor.run(seed: 6) { executor.note("a") }
    let withA = try #require(executor.lastTrace).digest
    try executor.run(seed: 6) { executor.note("b") }
    let withB = try #require(executor.lastTrace).digest
    #expect(withA != withB)
}

@Test func spawnedTasksKeepTheRunGoingUntilTheyFinish() throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    let done = Recorder<UInt64>()
    try executor.run(seed: 12) {
        executor.spawn {
            try? await clock.sleep(for: .seconds(600))
            done.append(clock.now)
        }
    }
    #expect(done.items == [600_000_000_000])
    #expect(executor.lastTrace?.finalVirtualTime == 600_000_000_000)
}

@Test func aBusyLoopHitsTheStepLimit() {
    let executor = SimulationExecutor()
    #expect(throws: SimulationError.stepLimitExceeded(steps: 1_000)) {
        try executor.run(seed: 1, limits: SimulationLimits(maxSteps: 1_000)) {
            while true { await Task.yield() }
        }
    }
}

@Test func aRetryLoopHitsTheVirtualTimeLimit() {
    let executor = SimulationExecutor()
    let clock = executor.clock
    let day: UInt64 = 86_400_000_000_000
    #expect(throws: SimulationError.virtualTimeLimitExceeded(limit: day)) {
        try executor.run(seed: 1, limits: SimulationLimits(maxVirtualTime: day)) {
            while true { try await clock.sleep(for: .seconds(3_600)) }
        }
    }
    #expect(executor.lastTrace?.finalVirtualTime == 24 * 3_600_000_000_000)
}

@Test func runningInsideARunIsRefused() throws {
    let executor = SimulationExecutor()
    let inner = try executor.run(seed: 1) { () -> String in
        do {
            _ = try executor.run(seed: 2) { 1 }
            return "ran"
        } catch {
            return "\(error)"
        }
    }
    #expect(inner == SimulationError.alreadyRunning.description)
}

@Test func anExecutorRunsAgainAfterAFailedRun() throws {
    let executor = SimulationExecutor()
    #expect(throws: SimulationError.self) {
        try executor.run(seed: 1, limits: SimulationLimits(maxSteps: 100)) {
            while true { await Task.yield() }
        }
    }
    let first = try racyAppends(on: executor, seed: 77)
    let digest = try #require(executor.lastTrace).digest
    #expect(try racyAppends(on: SimulationExecutor(), seed: 77) == first)
    #expect(executor.lastTrace?.digest != nil)
    let fresh = SimulationExecutor()
    _ = try racyAppends(on: fresh, seed: 77)
    #expect(fresh.lastTrace?.digest == digest)
}

@Test func runningOnADedicatedThreadGivesTheSameRunAsTheCallingThread() async throws {
    let executor = SimulationExecutor()
    let onThread = try await executor.runOnDedicatedThread(seed: 21) { 21 * 2 }
    let digest = try #require(executor.lastTrace).digest
    let onCaller = try executor.run(seed: 21) { 21 * 2 }
    #expect(onThread == 42)
    #expect(onCaller == 42)
    #expect(executor.lastTrace?.digest == digest)
}
