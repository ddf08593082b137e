import Synchronization

/// The concurrency runtime's own identifier of the task behind a job (0 when the job is not a task).
///
/// Why the runtime entry point: a task's resumptions are one job object (the
/// `AsyncTask`), but its address is reused by a later task once it is freed, so
/// the address alone would merge two tasks and make numbering depend on the
/// allocator. The task ID is unique per process; `UnownedJob.description`
/// prints the same number (a test checks they agree), via this exported symbol.
@_silgen_name("swift_task_getJobTaskId")
func runtimeTaskID(_ job: UnownedJob) -> UInt64

/// The runtime task ID of the task running on this thread (0 outside a task).
///
/// An `AsyncTask` is a job, so the current task's pointer is a valid argument to
/// the same entry point.
private func currentRuntimeTaskID() -> UInt64 {
    withUnsafeCurrentTask { task in
        guard let task else { return 0 }
        return runtimeTaskID(unsafeBitCast(task, to: UnownedJob.self))
    }
}

/// A single-threaded `TaskExecutor` that runs a simulation's tasks in an order chosen by a seeded strategy.
///
/// ``run(seed:strategy:limits:_:)`` makes the calling thread the simulation's
/// only thread: it starts the body as a task preferring this executor, then
/// repeatedly picks one runnable job (``SchedulingStrategy``) and runs it; when
/// nothing is runnable it moves the ``clock`` to the next timer. Child tasks of
/// task groups inherit the preference, so everything structured stays here, and
/// the same seed replays the same interleaving (compare ``SimulationTrace/digest``).
///
/// Anything that leaves the thread is an error, not silent nondeterminism: an
/// unstructured `Task {}` or `Task.detached` started inside the run (they do not
/// inherit the preference; caught as they reach the global executor), a job
/// enqueued from another thread during a run (a continuation resumed from
/// Dispatch or from a task on the global executor), a clock sleep or note from
/// another thread, or a stall (see ``SimulationError``).
///
/// Thread safety: `enqueue` may be called from any thread, so the queue lives in
/// a lock. The driver never holds it while running a job or resuming a
/// continuation (both re-enter `enqueue`): decide under the lock, act outside it.
public final class SimulationExecutor: TaskExecutor, Sendable {
    struct State {
        var queue: RunQueue
        var taskNumbers: [UInt64: UInt32] = [:]
        var nextTaskNumber: UInt32 = 1
        var step: UInt64 = 0
        var currentTask: UInt32 = 0
        var trace: SimulationTrace
        var lastTrace: SimulationTrace?
        var bodyFinished = true
        var liveSpawned = 0
        /// The previous run failed: its tasks are abandoned, and jobs of theirs that
        /// arrive between runs are dropped instead of leaking into the next run.
        var abandoned = false
        /// Jobs that must never run (from a foreign thread, or of an abandoned run).
        var droppedJobs: [UnownedJob] = []

        /// The simulation's number for a runtime task ID, assigned at first sight (0 stays 0).
        mutating func number(forRuntimeID id: UInt64) -> UInt32 {
            guard id != 0 else { return 0 }
            if let known = taskNumbers[id] { return known }
            let number = nextTaskNumber
            nextTaskNumber += 1
            taskNumbers[id] = number
            return number
        }
    }

    /// What the driver does next, decided under the lock.
    private enum Decision {
        case run(UnownedJob)
        case idle(waitingTasks: Int)
        case finished
        case stepLimit
    }

    /// The run's virtual clock: hand it (through the engine's `FlagClock` adapter) to the system under test.
    public let clock: VirtualClock
    private let monitor: EscapeMonitor
    private let state: SimulationLock<State>

    /// Creates an executor whose clock starts every run at `origin` nanoseconds.
    public init(origin: UInt64 = 0) {
        let monitor = EscapeMonitor(origin: origin)
        self.monitor = monitor
        self.clock = VirtualClock(origin: origin, monitor: monitor)
        self.state = SimulationLock(State(
            queue: RunQueue(seed: 0, strategy: .random),
            trace: SimulationTrace(seed: 0, strategy: .random, capacity: 0)))
    }

    /// The trace of the last run that ended, successfully or not (nil before the first).
    public var lastTrace: SimulationTrace? { state.withLock { $0.lastTrace } }

    /// Stores a job; the driver runs it when the strategy picks it.
    ///
    /// A job arriving from a thread other than the driver's during a run is not
    /// run: it is recorded as an escape, and the run fails.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let taskID = runtimeTaskID(job)
        if monitor.callerIsForeign() {
            monitor.record(
                "a job of runtime task \(taskID) was enqueued from another thread: a continuation resumed "
                    + "or a task woken outside the simulation (Dispatch, an unstructured Task {} or Task.detached "
                    + "on the global executor, a socket)",
                virtualTime: clock.now)
            state.withLock { $0.droppedJobs.append(job) }
            return
        }
        let originID = taskID == 0 ? currentRuntimeTaskID() : 0
        state.withLock { state in
            if state.abandoned, monitor.driverThread.load(ordering: .acquiring) == 0 {
                state.droppedJobs.append(job)
                return
            }
            let origin = originID == 0 ? state.currentTask : state.number(forRuntimeID: originID)
            state.queue.add(job, task: state.number(forRuntimeID: taskID), origin: origin)
        }
    }

    /// Records a labelled event at the current virtual time and task ("conn 12 acquired host-3").
    ///
    /// This is how a failing run says which connection did what, and when: the
    /// notes appear in the trace between the steps and count in its digest. From
    /// a foreign thread during a run it records an escape instead.
    public func note(_ label: String) {
        if monitor.callerIsForeign() {
            monitor.record("note \"\(label)\" made from a thread outside the simulation", virtualTime: clock.now)
            return
        }
        let now = clock.now
        let taskID = currentRuntimeTaskID()
        state.withLock { state in
            // The calling task, not the step's job: inside an actor's processing job
            // (task 0 in the trace) the note still names the task that made it.
            let task = taskID == 0 ? state.currentTask : state.number(forRuntimeID: taskID)
            state.trace.record(SimulationEvent(step: state.step, virtualTime: now, task: task, kind: .note(label)))
        }
    }

    /// Starts `operation` as a task on this executor and keeps the run going until it finishes.
    ///
    /// The simulation's `FlagTaskSpawner`: the core spawns background work (a
    /// refresh) through it, and the driver does not call the run finished while
    /// such a task is alive. Call it from inside a run.
    public func spawn(_ operation: @escaping @Sendable () async -> Void) {
        state.withLock { $0.liveSpawned += 1 }
        Task(executorPreference: self) {
            await operation()
            self.state.withLock { $0.liveSpawned -= 1 }
        }
    }

    /// Runs `body` to completion on the calling thread, scheduling its tasks with `strategy` seeded by `seed`.
    ///
    /// Synchronous on purpose: the calling thread becomes the simulation's only
    /// thread (from an async context it blocks one cooperative thread for the
    /// run's duration). The run ends when the body and every ``spawn(_:)``ed task
    /// have finished and no job is runnable; sleepers still pending then are woken
    /// with `CancellationError` and their tasks run to their end, so nothing is
    /// left suspended.
    ///
    /// - Returns: what `body` returned; ``lastTrace`` then holds the run's trace.
    /// - Throws: the body's own error, or a ``SimulationError`` (stall, escape,
    ///   limit). After a ``SimulationError`` the run's unfinished tasks are
    ///   abandoned, never resumed; the executor can run again.
    public func run<T: Sendable>(
        seed: UInt64,
        strategy: SchedulingStrategy = .random,
        limits: SimulationLimits = SimulationLimits(),
        _ body: @escaping @Sendable () async throws -> T
    ) throws -> T {
        guard monitor.driverThread.compareExchange(
            expected: 0, desired: currentThreadID(), ordering: .acquiringAndReleasing
        ).exchanged else {
            throw SimulationError.alreadyRunning
        }
        _ = GlobalEnqueueWatch.installed
        GlobalEnqueueWatch.setMonitorOfThisThread(monitor)
        defer {
            GlobalEnqueueWatch.setMonitorOfThisThread(nil)
            monitor.driverThread.store(0, ordering: .releasing)
        }
        monitor.reset()
        clock.reset()
        state.withLock { state in
            let carried = state.abandoned ? [] : state.queue.drain()
            state.queue = RunQueue(seed: seed, strategy: strategy)
            state.taskNumbers = [:]
            state.nextTaskNumber = 1
            state.step = 0
            state.currentTask = 0
            state.trace = SimulationTrace(seed: seed, strategy: strategy, capacity: limits.traceCapacity)
            state.bodyFinished = false
            state.abandoned = false
            state.droppedJobs = []
            for entry in carried {
                state.queue.add(entry.job, task: state.number(forRuntimeID: runtimeTaskID(entry.job)))
            }
        }
        let outcome = SimulationLock<Result<T, any Error>?>(nil)
        Task(executorPreference: self) {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            self.state.withLock { $0.bodyFinished = true }
        }
        do {
            try drive(limits)
            try windDown(limits)
        } catch {
            endRun(failed: true)
            throw error
        }
        endRun(failed: false)
        guard let result = outcome.withLock({ $0 }) else {
            preconditionFailure("the simulation finished without its body's result")
        }
        return try result.get()
    }

    /// Runs `body` like ``run(seed:strategy:limits:_:)``, on a thread of its own, and awaits the result.
    ///
    /// For async callers (the command line, tests): the synchronous `run` would
    /// block one of the cooperative pool's threads (as many as cores) for the whole
    /// run; with two runs in parallel on a 2-core machine, async work that a run
    /// waits for could not be scheduled until the pool grew a thread.
    public func runOnDedicatedThread<T: Sendable>(
        seed: UInt64,
        strategy: SchedulingStrategy = .random,
        limits: SimulationLimits = SimulationLimits(),
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<T, any Error>) in
            startThread {
                continuation.resume(with: Result { try self.run(seed: seed, strategy: strategy, limits: limits, body) })
            }
        }
    }

    /// The main loop: run picked jobs; when none is runnable, advance time; when no timer is left either, it is a stall.
    private func drive(_ limits: SimulationLimits) throws {
        let timeLimit = clock.origin.addingReportingOverflow(limits.maxVirtualTime)
        let lastInstant = timeLimit.overflow ? UInt64.max : timeLimit.partialValue
        while true {
            switch try nextDecision(limits) {
            case let .run(job):
                job.runSynchronously(on: asUnownedTaskExecutor())
            case .finished:
                return
            case .stepLimit:
                throw SimulationError.stepLimitExceeded(steps: limits.maxSteps)
            case let .idle(waitingTasks):
                switch clock.advanceToNextTimers(limit: lastInstant) {
                case .fired:
                    continue
                case .beyondLimit:
                    throw SimulationError.virtualTimeLimitExceeded(limit: limits.maxVirtualTime)
                case .idle:
                    if awaitForeignWork(grace: limits.foreignWorkGrace) {
                        throw SimulationError.escaped(monitor.recorded())
                    }
                    throw SimulationError.stalled(
                        waitingTasks: waitingTasks, virtualTime: clock.now, step: state.withLock { $0.step })
                }
            }
        }
    }

    /// After the body and spawned tasks finished: wake leftover sleepers with
    /// `CancellationError` and run what that makes runnable, until nothing is left.
    private func windDown(_ limits: SimulationLimits) throws {
        while true {
            switch try nextDecision(limits) {
            case let .run(job):
                job.runSynchronously(on: asUnownedTaskExecutor())
            case .stepLimit:
                throw SimulationError.stepLimitExceeded(steps: limits.maxSteps)
            case .idle, .finished:
                if clock.cancelAllTimers() == 0 { return }
            }
        }
    }

    /// Picks the next job and records its step, or says why there is none. Fails on a recorded escape.
    private func nextDecision(_ limits: SimulationLimits) throws -> Decision {
        if monitor.escapeCount.load(ordering: .acquiring) > 0 {
            throw SimulationError.escaped(monitor.recorded())
        }
        let now = clock.now
        return state.withLock { state -> Decision in
            let step = state.step + 1
            if step > limits.maxSteps, !state.queue.isEmpty { return .stepLimit }
            guard let entry = state.queue.next(step: step) else {
                if state.bodyFinished && state.liveSpawned == 0 { return .finished }
                return .idle(waitingTasks: (state.bodyFinished ? 0 : 1) + state.liveSpawned)
            }
            state.step = step
            state.currentTask = entry.task
            state.trace.record(SimulationEvent(step: step, virtualTime: now, task: entry.task, kind: .step))
            return .run(entry.job)
        }
    }

    /// Waits up to `grace` of wall time for an escape to be recorded; true if one was.
    ///
    /// Only reached when the run cannot continue: it tells "stalled on something
    /// foreign that will answer" (an escape) from "stalled for good".
    private func awaitForeignWork(grace: Duration) -> Bool {
        let budget = grace.saturatingNanoseconds
        let start = wallNanoseconds()
        var pause: UInt64 = 20_000
        while monitor.escapeCount.load(ordering: .acquiring) == 0 {
            let elapsed = wallNanoseconds() &- start
            if elapsed >= budget { return false }
            pauseThread(nanoseconds: min(pause, budget - elapsed))
            pause = min(pause * 2, 5_000_000)
        }
        return true
    }

    /// Files the run's trace; after a failure, abandons its jobs and timers.
    private func endRun(failed: Bool) {
        let now = clock.now
        state.withLock { state in
            state.trace.taskCount = state.nextTaskNumber - 1
            state.trace.finalVirtualTime = now
            state.lastTrace = state.trace
            state.currentTask = 0
            if failed {
                state.queue.removeAll()
                state.abandoned = true
                state.liveSpawned = 0
                state.bodyFinished = true
            }
        }
        if failed { clock.reset() }
    }
}
