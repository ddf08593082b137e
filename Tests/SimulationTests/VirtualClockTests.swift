import Simulation
import Testing

@Test func sleepsWakeInVirtualTimeOrderWhateverOrderTheyStarted() throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    let wakes = Recorder<(name: String, time: UInt64)>()
    // Started in this order; two share a deadline and must wake in the order they slept.
    let sleepers: [(String, UInt64)] = [("c", 30 * minute), ("a1", 10 * minute), ("b", 20 * minute), ("a2", 10 * minute)]
    try executor.run(seed: 1) {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, (name, deadline)) in sleepers.enumerated() {
                group.addTask {
                    try await clock.sleep(until: deadline)
                    wakes.append((name, clock.now))
                }
                // Let the child reach its sleep before the next one starts, so the start order is the listed one.
                while clock.pendingTimerCount <= index { await Task.yield() }
            }
            try await group.waitForAll()
        }
    }
    #expect(wakes.items.map(\.name) == ["a1", "a2", "b", "c"])
    #expect(wakes.items.map(\.time) == [10 * minute, 10 * minute, 20 * minute, 30 * minute])
}

@Test func aFifteenMinuteSleepEndsAtExactlyFifteenVirtualMinutes() throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    let woke = try executor.run(seed: 3) {
        try await clock.sleep(for: .seconds(15 * 60))
        return clock.now
    }
    #expect(woke == 15 * minute)
    #expect(executor.lastTrace?.finalVirtualTime == 15 * minute)
}

@Test func theClockStartsEveryRunAtItsOrigin() throws {
    let executor = SimulationExecutor(origin: 1_000)
    let clock = executor.clock
    for seed in 0..<2 {
        let times = try executor.run(seed: UInt64(seed)) {
            let start = clock.now
            try await clock.sleep(for: .nanoseconds(500))
            return (start, clock.now)
        }
        #expect(times.0 == 1_000)
        #expect(times.1 == 1_500)
    }
}

@Test func sleepingUntilAPastDeadlineReturnsAtOnce() throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    let time = try executor.run(seed: 1) {
        try await clock.sleep(for: .seconds(5))
        try await clock.sleep(until: 1)
        try await clock.sleep(for: .seconds(-3))
        return clock.now
    }
    #expect(time == 5_000_000_000)
}

@Test func cancellingASleepingTaskThrowsCancellationAndKillsItsTimer() throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    let outcome = try executor.run(seed: 9) { () -> (String, UInt64, Int) in
        let sleeper = Task(executorPreference: executor) { () -> String in
            do {
                try await clock.sleep(for: .seconds(3_600))
                return "woke"
            } catch is CancellationError {
                return "cancelled"
            } catch {
                return "other error"
            }
        }
        try await clock.sleep(for: .seconds(1))
        sleeper.cancel()
        let result = await sleeper.value
        return (result, clock.now, clock.pendingTimerCount)
    }
    #expect(outcome.0 == "cancelled")
    #expect(outcome.1 == 1_000_000_000)
    #expect(outcome.2 == 0)
    // The dead one-hour timer did not drag time forward after the body ended.
    #expect(executor.lastTrace?.finalVirtualTime == 1_000_000_000)
}

@Test func sleepingInAnAlreadyCancelledTaskThrowsAtOnce() throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    let threw = try executor.run(seed: 2) { () -> Bool in
        withUnsafeCurrentTask { $0?.cancel() }
        do {
            try await clock.sleep(for: .seconds(10))
            return false
        } catch {
            return error is CancellationError && clock.now == 0
        }
    }
    #expect(threw)
}

@Test func aTimeoutRaceCancelsTheLoserLikeTheCoresFetchWithTimeout() throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    // The shape of FetchWithTimeout: a fetch taking 2 s races a 1 s timeout.
    let winner = try executor.run(seed: 4) {
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                try await clock.sleep(for: .seconds(2))
                return "fetch"
            }
            group.addTask {
                try await clock.sleep(for: .seconds(1))
                return "timeout"
            }
            defer { group.cancelAll() }
            return try await group.next() ?? "none"
        }
    }
    #expect(winner == "timeout")
    #expect(executor.lastTrace?.finalVirtualTime == 1_000_000_000)
}

@Test func sleepersLeftWhenTheRunEndsAreWokenWithCancellation() throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    let outcomes = Recorder<String>()
    try executor.run(seed: 5) {
        // An unawaited task on the executor, still asleep when the body returns.
        Task(executorPreference: executor) {
            do {
                try await clock.sleep(for: .seconds(86_400))
                outcomes.append("woke")
            } catch {
                outcomes.append(error is CancellationError ? "cancelled" : "other")
            }
        }
        try await clock.sleep(for: .seconds(1))
    }
    #expect(outcomes.items == ["cancelled"])
    #expect(clock.pendingTimerCount == 0)
}
