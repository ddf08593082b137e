/// Virtual time for a simulated run: nanoseconds that move only when the executor has nothing else to run.
///
/// Sleepers wait on a timer heap ordered by (deadline, order of sleeping); when no
/// job is runnable the ``SimulationExecutor`` jumps time to the earliest deadline
/// and wakes every sleeper due at that instant, in the order they went to sleep.
/// A 15-minute TTL therefore passes in the microseconds it takes to pop a heap.
///
/// The API is the core's `FlagClock` in miniature (`now` in UInt64 nanoseconds,
/// `sleep(until:)`), so the engine's adapter is a one-liner each way. The clock
/// belongs to one executor (``SimulationExecutor/clock``) and is reset to its
/// origin at the start of each run.
public final class VirtualClock: Sendable {
    /// A pending sleep: ordered by deadline, then by the order the sleeps began.
    struct Timer: Comparable {
        let deadline: UInt64
        let sequence: UInt64
        static func < (lhs: Timer, rhs: Timer) -> Bool {
            lhs.deadline != rhs.deadline ? lhs.deadline < rhs.deadline : lhs.sequence < rhs.sequence
        }
    }

    struct State {
        var nextSequence: UInt64 = 0
        var heap = BinaryHeap<Timer>()
        /// The sleepers still waiting, by timer sequence. A timer in the heap whose
        /// sequence is absent here was cancelled: it is skipped when it surfaces.
        var sleepers: [UInt64: UnsafeContinuation<Void, any Error>] = [:]
    }

    /// What advancing to the next timers did.
    enum Advance {
        /// Time moved to the given instant and this many sleepers were resumed.
        case fired(at: UInt64, count: Int)
        /// No timer is pending.
        case idle
        /// The earliest timer lies beyond the limit; time did not move.
        case beyondLimit
    }

    /// The instant where every run starts, in nanoseconds.
    public let origin: UInt64
    private let state = SimulationLock(State())
    private let monitor: EscapeMonitor

    init(origin: UInt64, monitor: EscapeMonitor) {
        self.origin = origin
        self.monitor = monitor
    }

    /// The current virtual time in nanoseconds.
    ///
    /// One atomic load (it sits on the cache's hot path). Only the driver thread
    /// moves time, between jobs, so a job sees time stand still while it runs.
    public var now: UInt64 { monitor.virtualTime.load(ordering: .relaxed) }

    /// How many sleepers are waiting.
    public var pendingTimerCount: Int { state.withLock { $0.sleepers.count } }

    /// Suspends the calling task until virtual time reaches `deadline` (nanoseconds).
    ///
    /// Returns at once if the deadline has passed. Throws `CancellationError` as soon
    /// as the task is cancelled, whether it was cancelled before sleeping or while
    /// asleep; its timer is then dead and will not wake anyone. Throws
    /// ``SimulationError/escaped(_:)`` if called from a thread other than the
    /// simulation's during a run (the escape is also recorded and fails the run).
    public func sleep(until deadline: UInt64) async throws {
        if monitor.callerIsForeign() {
            let escape = monitor.record(
                "VirtualClock.sleep called from a thread outside the simulation "
                    + "(an unstructured Task {} or Task.detached, Dispatch, or another thread)",
                virtualTime: now)
            throw SimulationError.escaped([escape])
        }
        try Task.checkCancellation()
        if deadline <= now { return }
        let sequence = state.withLock { state -> UInt64 in
            state.nextSequence += 1
            return state.nextSequence
        }
        // Exactly-once resumption: whoever removes the continuation from
        // `sleepers` under the lock (the firing driver or the cancellation handler)
        // resumes it, outside the lock; the other finds nothing. A cancellation that
        // lands before the continuation is stored is seen by the `Task.isCancelled`
        // check made under the same lock (the flag is set before handlers run).
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let cancelledAlready = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    state.sleepers[sequence] = continuation
                    state.heap.insert(Timer(deadline: deadline, sequence: sequence))
                    return false
                }
                if cancelledAlready { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: sequence) }
            sleeper?.resume(throwing: CancellationError())
        }
    }

    /// Suspends the calling task for `duration` of virtual time (see ``sleep(until:)``; a negative duration is zero).
    public func sleep(for duration: Duration) async throws {
        let delta = duration.saturatingNanoseconds
        let (deadline, overflow) = now.addingReportingOverflow(delta)
        try await sleep(until: overflow ? .max : deadline)
    }

    /// Moves time to the earliest live timer, if it is within `limit`, and resumes
    /// every sleeper due at that instant in the order they went to sleep.
    ///
    /// Driver thread only. The continuations are resumed outside the lock: resuming
    /// enqueues the sleeper's job on the executor, which takes the executor's lock.
    func advanceToNextTimers(limit: UInt64) -> Advance {
        let due = state.withLock { state -> (UInt64, [UnsafeContinuation<Void, any Error>])? in
            while let first = state.heap.min, state.sleepers[first.sequence] == nil {
                _ = state.heap.popMin()
            }
            guard let first = state.heap.min else { return nil }
            guard first.deadline <= limit else { return (first.deadline, []) }
            var due: [UnsafeContinuation<Void, any Error>] = []
            while let next = state.heap.min, next.deadline == first.deadline {
                _ = state.heap.popMin()
                if let sleeper = state.sleepers.removeValue(forKey: next.sequence) { due.append(sleeper) }
            }
            monitor.virtualTime.store(first.deadline, ordering: .relaxed)
            return (first.deadline, due)
        }
        guard let (instant, sleepers) = due else { return .idle }
        if sleepers.isEmpty { return .beyondLimit }
        for sleeper in sleepers { sleeper.resume() }
        return .fired(at: instant, count: sleepers.count)
    }

    /// Fails every pending sleeper with `CancellationError` (the run is over and
    /// nobody will advance time for them) and returns how many there were.
    func cancelAllTimers() -> Int {
        let sleepers = state.withLock { state -> [UnsafeContinuation<Void, any Error>] in
            let ordered = state.heap.storage.sorted().compactMap { state.sleepers[$0.sequence] }
            state.sleepers.removeAll()
            state.heap.removeAll()
            return ordered
        }
        for sleeper in sleepers { sleeper.resume(throwing: CancellationError()) }
        return sleepers.count
    }

    /// Drops every pending sleeper without resuming it (a failed run's tasks are
    /// abandoned) and sets time back to the origin.
    func reset() {
        state.withLock { state in
            state.sleepers.removeAll()
            state.heap.removeAll()
        }
        monitor.virtualTime.store(origin, ordering: .relaxed)
    }
}
