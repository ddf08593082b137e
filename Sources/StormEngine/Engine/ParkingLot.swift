import FeatureFlags

/// A connection between two of its checks: everything it needs to go on, and no task.
///
/// Why: a suspended Swift task costs about 2.2 KB here whatever it holds, so
/// 100,000 connections each sleeping in a task of their own would cost far
/// more than the connections themselves. Parked, a connection is this value
/// in the ``ParkingLot``; a short task runs each of its checks.
struct ParkedConnection: Sendable {
    var index: Int
    var host: HostProbe
    var flagLease: FlagLease
    var clientLease: ClientLease?
    var client: InstrumentedTelemetryClient?
    /// When the connection closes (precise monotonic nanoseconds).
    var end: UInt64
    /// When its next step is due; `end` when the next step is the close.
    var due: UInt64
    var doubleRelease: Bool
    var cancelFirst: Bool
    /// For `constant-connections`: open a replacement on close while before this instant.
    var slotEnd: UInt64?
    var tally: ConnectionTally
}

/// Parked connections by due time, and the driver that wakes them.
///
/// A timing wheel of one-millisecond buckets: parking appends to the bucket of
/// the connection's due millisecond, and the driver takes whole buckets as
/// their time comes, so neither side does more than an append or a swap under
/// the lock. Each woken connection's next step runs in a child task of the
/// driver's group; a step parks the connection again or closes it. Rounds
/// wait for the lot to empty.
final class ParkingLot: Sendable {
    static let tick: UInt64 = 1_000_000

    private struct State {
        var buckets: [UInt64: [ParkedConnection]] = [:]
        /// The next tick the driver has not taken yet.
        var cursor: UInt64
        var parked = 0
        var running = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []

        mutating func takeIdleWaiters() -> [CheckedContinuation<Void, Never>] {
            guard parked == 0, running == 0, !idleWaiters.isEmpty else { return [] }
            defer { idleWaiters.removeAll() }
            return idleWaiters
        }
    }

    private let state = Locked(State(cursor: MonotonicTime.preciseNanoseconds() / ParkingLot.tick))

    /// Parks `connection` until its `due` time (or the driver's next tick, if that has passed).
    func park(_ connection: ParkedConnection) {
        state.withLock { state in
            let tick = max(connection.due / Self.tick, state.cursor)
            state.buckets[tick, default: []].append(connection)
            state.parked += 1
        }
    }

    /// Returns once nothing is parked and no step is running.
    func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                if state.parked == 0, state.running == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Wakes due connections and runs `step` for each, until `finished()` says the run is over and the lot is idle.
    func drive(finished: @escaping @Sendable () -> Bool,
               step: @escaping @Sendable (ParkedConnection) async -> Void) async {
        await withDiscardingTaskGroup { group in
            while true {
                let nowTick = MonotonicTime.preciseNanoseconds() / Self.tick
                let (due, idle) = state.withLock { state -> ([[ParkedConnection]], Bool) in
                    var due: [[ParkedConnection]] = []
                    if state.buckets.isEmpty {
                        state.cursor = max(state.cursor, nowTick + 1)
                    } else {
                        while state.cursor <= nowTick {
                            if let bucket = state.buckets.removeValue(forKey: state.cursor) { due.append(bucket) }
                            state.cursor += 1
                        }
                    }
                    let count = due.reduce(0) { $0 + $1.count }
                    state.parked -= count
                    state.running += count
                    return (due, state.parked == 0 && state.running == 0)
                }
                if due.isEmpty, idle, finished() { return }
                let woken = due.joined()
                if !woken.isEmpty {
                    // One child per 512 steps, each step in a child of that one: no group ever holds
                    // more than a few hundred children (see `StormRunner.forEachConcurrently`).
                    group.addTask {
                        await StormRunner.forEachConcurrently(Array(woken)) { connection in
                            await step(connection)
                        }
                        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
                            state.running -= woken.count
                            return state.takeIdleWaiters()
                        }
                        for waiter in waiters { waiter.resume() }
                    }
                }
                try? await Task.sleep(for: .nanoseconds(Int64(Self.tick)))
            }
        }
    }
}
