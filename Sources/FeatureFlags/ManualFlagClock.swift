/// A deterministic clock for tests: time moves only when the test calls ``advance(by:)``.
///
/// Sleepers wake in deadline order when time reaches their deadline. Tests never
/// sleep on the wall clock: they wait until the code under test is parked on
/// this clock (``waitForSleepers(atLeast:)``, a promise rather than a timer) and
/// then advance time explicitly.
public final class ManualFlagClock: FlagClock {
    private struct Sleeper {
        let deadline: FlagInstant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: FlagInstant
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        var sleeperWatchers = ThresholdWatchers()
    }

    private let state: Locked<State>

    /// Creates a clock reading `start` (default: one second after zero, so that
    /// "zero" never looks like a real fetch time).
    public init(start: FlagInstant = FlagInstant(nanoseconds: 1_000_000_000)) {
        state = Locked(State(now: start))
    }

    public func now() -> FlagInstant { state.withLock { $0.now } }

    /// How many tasks are currently sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: FlagInstant) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, watchers) = state.withLock { state -> (Result<Void, any Error>?, [CheckedContinuation<Void, Never>]) in
                    if Task.isCancelled { return (.failure(CancellationError()), []) }
                    if deadline <= state.now { return (.success(()), []) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return (nil, state.sleeperWatchers.takeSatisfied(by: state.sleepers.count))
                }
                for watcher in watchers { watcher.resume() }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` and wakes, in deadline order, every sleeper that is now due.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now + duration
            let now = state.now
            let dueIDs = state.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return dueIDs.compactMap { state.sleepers.removeValue(forKey: $0) }.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time to `instant` if it is later than now (see ``advance(by:)``).
    public func advance(to instant: FlagInstant) {
        let current = now()
        if instant > current { advance(by: instant - current) }
    }

    /// Returns once at least `count` tasks are sleeping on this clock.
    ///
    /// This is how a test knows that the code under test has reached its timer
    /// (a fetch parked on a 50 ms latency, a timeout armed) before advancing time.
    public func waitForSleepers(atLeast count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                state.sleeperWatchers.add(threshold: count, current: state.sleepers.count, continuation)
            }
            if ready { continuation.resume() }
        }
    }
}
