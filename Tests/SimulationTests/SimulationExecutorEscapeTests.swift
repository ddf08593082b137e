import Dispatch
import Simulation
import Testing

/// Whether `error` is a ``SimulationError/escaped(_:)`` one of whose escapes mentions `text`.
func isEscape(_ error: any Error, mentioning text: String) -> Bool {
    guard case let .escaped(escapes) = error as? SimulationError else { return false }
    return escapes.contains { $0.what.contains(text) }
}

/// A continuation parked where no simulated task will ever resume it.
final class ParkedContinuation: Sendable {
    let slot = SimulationLock<UnsafeContinuation<Void, Never>?>(nil)
}

@Test func awaitingSomethingNobodyResumesIsReportedAsAStallNotAHang() throws {
    let executor = SimulationExecutor()
    let parked = ParkedContinuation()
    do {
        try executor.run(seed: 1, limits: SimulationLimits(foreignWorkGrace: .zero)) {
            await withUnsafeContinuation { continuation in parked.slot.withLock { $0 = continuation } }
        }
        Issue.record("the run finished although its body never could")
    } catch let error as SimulationError {
        guard case let .stalled(waitingTasks, virtualTime, _) = error else {
            Issue.record("expected a stall, got \(error)")
            return
        }
        #expect(waitingTasks == 1)
        #expect(virtualTime == 0)
        #expect(error.description.contains("outside the simulation"))
    }
}

@Test func aContinuationResumedFromDispatchIsReportedAsAnEscape() throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    let simulatedTaskIsAsleep = DispatchSemaphore(value: 0)
    // Deterministic: the Dispatch block resumes only after a virtual timer fired,
    // which happens only when nothing else in the simulation can run, so the
    // awaiting task is surely suspended and its wake-up is a foreign enqueue.
    // The generous grace bounds the wait for that block without slowing the test:
    // the driver stops waiting as soon as the foreign job arrives.
    let limits = SimulationLimits(foreignWorkGrace: .seconds(30))
    #expect {
        try executor.run(seed: 3, limits: limits) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                        DispatchQueue.global().async {
                            simulatedTaskIsAsleep.wait()
                            continuation.resume()
                        }
                    }
                }
                group.addTask {
                    try await clock.sleep(for: .seconds(1))
                    simulatedTaskIsAsleep.signal()
                }
                try await group.waitForAll()
            }
        }
    } throws: { error in
        isEscape(error, mentioning: "enqueued from another thread")
    }
}

@Test func sleepingOnTheVirtualClockFromAnotherThreadIsAnEscape() async throws {
    let executor = SimulationExecutor()
    let clock = executor.clock
    let runStarted = DispatchSemaphore(value: 0)
    let parked = ParkedContinuation()
    // A task on the cooperative pool sleeps on the virtual clock while the run is
    // active, then wakes the body, which waited for exactly that. A Dispatch thread
    // (not a cooperative one, which the waiting would starve) starts it once the
    // run has begun, so that its creation is not itself caught as an escape.
    DispatchQueue.global().async {
        runStarted.wait()
        Task.detached {
            let error = await { () async -> (any Error)? in
                do { try await clock.sleep(for: .seconds(1)) } catch { return error }
                return nil
            }()
            #expect(error is SimulationError)
            parked.slot.withLock { $0 }?.resume()
        }
    }
    // On a thread of its own: the foreign task needs a cooperative thread to run on.
    await #expect {
        try await executor.runOnDedicatedThread(seed: 4, limits: SimulationLimits(foreignWorkGrace: .seconds(30))) {
            await withUnsafeContinuation { continuation in
                parked.slot.withLock { $0 = continuation }
                runStarted.signal()
            }
        }
    } throws: { error in
        isEscape(error, mentioning: "VirtualClock.sleep called from a thread outside")
    }
}

@Test func aNoteFromAnotherThreadIsAnEscape() throws {
    let executor = SimulationExecutor()
    let noted = DispatchSemaphore(value: 0)
    #expect {
        try executor.run(seed: 5, limits: SimulationLimits(foreignWorkGrace: .seconds(30))) {
            DispatchQueue.global().async {
                executor.note("from a Dispatch thread")
                noted.signal()
            }
            // Blocking the simulation's only thread is exactly what a scenario must not do;
            // here it makes the foreign note land while the run is still active.
            noted.wait()
        }
    } throws: { error in
        isEscape(error, mentioning: "from a Dispatch thread")
    }
}

@Test func anUnstructuredTaskStartedInsideTheSimulationIsAnEscape() throws {
    let executor = SimulationExecutor()
    #expect {
        try executor.run(seed: 6) {
            // Does not inherit the executor preference: it would run on the cooperative pool.
            Task { _ = 1 + 1 }
        }
    } throws: { error in
        isEscape(error, mentioning: "sent to the global executor")
    }
}

@Test func aDetachedTaskStartedInsideTheSimulationIsAnEscape() throws {
    let executor = SimulationExecutor()
    #expect {
        try executor.run(seed: 7) { Task.detached { _ = 1 + 1 } }
    } throws: { error in
        isEscape(error, mentioning: "sent to the global executor")
    }
}

@Test func actorCallsFromSimulatedTasksStayInside() throws {
    actor Tally {
        var count = 0
        func increment() -> Int {
            count += 1
            return count
        }
    }
    let executor = SimulationExecutor()
    let tally = Tally()
    let total = try executor.run(seed: 8) {
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { await tally.increment() } }
            return await group.reduce(0, +)
        }
    }
    #expect(total == 1 + 2 + 3 + 4)
}
