import Simulation
import Testing

/// A bare FIFO task executor that records each job's address and description: a probe of the runtime, not of Simulation.
final class RecordingExecutor: TaskExecutor, Sendable {
    let queue = SimulationLock<[UnownedJob]>([])
    let seen = SimulationLock<[(address: UInt, description: String)]>([])

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.append(job) }
    }

    func drain(_ body: @escaping @Sendable () async -> Void) {
        Task(executorPreference: self) { await body() }
        while let job = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            seen.withLock { $0.append((unsafeBitCast(job, to: UInt.self), job.description)) }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

@Test func aTasksResumptionsAreOneJobObjectWithOneRuntimeID() {
    let executor = RecordingExecutor()
    executor.drain {
        await Task.yield()
        await Task.yield()
    }
    let taskJobs = executor.seen.withLock { $0 }.filter { !$0.description.contains("nil") }
    // The first run and the two resumptions after the yields.
    #expect(taskJobs.count == 3)
    #expect(Set(taskJobs.map(\.address)).count == 1)
    #expect(Set(taskJobs.map(\.description)).count == 1)
}

@Test func theSimulationNumbersTasksByFirstSightNotByAddress() throws {
    let executor = SimulationExecutor()
    // Sequential short-lived children: their memory is typically reused, so numbering by
    // address would merge them; the trace must still count each as its own task.
    try executor.run(seed: 1) {
        for _ in 0..<10 {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await Task.yield() }
            }
        }
    }
    let trace = try #require(executor.lastTrace)
    #expect(trace.taskCount == 11)
    let numbers = trace.events.map(\.task).filter { $0 != 0 }
    #expect(numbers.first == 1)
    #expect(Set(numbers) == Set(1...11))
}
