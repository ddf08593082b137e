/// A FIFO mutual-exclusion gate that can be held across `await`.
///
/// Only the `seed` client manager uses it, to reproduce the Go code holding
/// its global mutex while a client starts (weakness W5): every other host's
/// acquire waits behind a slow start. It reports the same statistics as the
/// core's other locks. Waiting is not cancellable, like Go's `sync.Mutex`.
final class AsyncSerialGate: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
        var recorder: LockStatsRecorder
        var heldSince: UInt64 = 0
        var waiterWatchers = ThresholdWatchers()
        var waiting: Int { waiters.count - head }
    }

    private let state: Locked<State>

    init(name: String) { state = Locked(State(recorder: LockStatsRecorder(name: name))) }

    nonisolated(nonsending)
    func enter() async {
        let entered = state.withLock { state -> Bool in
            guard !state.held else { return false }
            state.held = true
            state.heldSince = state.recorder.countUncontended() ? MonotonicTime.preciseNanoseconds() : 0
            return true
        }
        if entered { return }
        let waitStart = MonotonicTime.preciseNanoseconds()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (enteredNow, watchers) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                guard state.held else {
                    state.held = true
                    return (true, [])
                }
                state.waiters.append(continuation)
                return (false, state.waiterWatchers.takeSatisfied(by: state.waiting))
            }
            for watcher in watchers { watcher.resume() }
            if enteredNow { continuation.resume() }
        }
        let acquired = MonotonicTime.preciseNanoseconds()
        state.withLock { state in
            state.recorder.countContended(waitNanoseconds: acquired &- waitStart)
            state.heldSince = acquired
        }
    }

    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.heldSince != 0 {
                state.recorder.statistics.hold.record(nanoseconds: MonotonicTime.preciseNanoseconds() &- state.heldSince)
                state.heldSince = 0
            }
            guard state.head < state.waiters.count else {
                state.held = false
                state.waiters.removeAll(keepingCapacity: true)
                state.head = 0
                return nil
            }
            let next = state.waiters[state.head]
            state.head += 1
            if state.head > 64, state.head * 2 > state.waiters.count {  // keep the queue from growing under sustained contention
                state.waiters.removeFirst(state.head)
                state.head = 0
            }
            return next  // ownership passes to the next waiter: `held` stays true
        }
        next?.resume()
    }

    /// Runs `body` holding the gate.
    nonisolated(nonsending)
    func withGate<Result: Sendable>(_ body: () async throws -> Result) async rethrows -> Result {
        await enter()
        defer { leave() }
        return try await body()
    }

    var statistics: LockStatistics { state.withLock { $0.recorder.statistics } }

    /// Test support: returns once at least `count` callers are queued on the gate.
    func waitForWaiters(atLeast count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                state.waiterWatchers.add(threshold: count, current: state.waiting, continuation)
            }
            if ready { continuation.resume() }
        }
    }
}
