import FeatureFlags
import Synchronization

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
    /// Checks made so far (kept here: the tally's counts are handed over and reset as its buffer fills).
    var checksMade: Int32 = 0
    /// The lifetime minus the time its checks have taken so far (ns): the room left for waiting between checks,
    /// from which the checks it was asked for are counted when it closes.
    var checkRoom: Int64
    /// For `constant-connections`: open a replacement on close while before this instant.
    var slotEnd: UInt64?
    var tally: ConnectionTally
}

/// Parked connections by due time, and the driver that wakes them.
///
/// Timing wheels of one-millisecond buckets: parking appends to the bucket of
/// the connection's due millisecond, and the driver takes whole buckets as
/// their time comes, so neither side does more than an append or a swap under
/// a lock. The wheels are striped by connection (eight, each with its own
/// lock), so connections parking at once rarely meet on one lock; the counts
/// that tell when the lot is idle are atomics. Each woken connection's next
/// step runs in a child task of the driver's group; a step parks the
/// connection again or closes it. Rounds wait for the lot to empty.
final class ParkingLot: Sendable {
    static let tick: UInt64 = 1_000_000
    static let stripes = 8

    private struct Wheel {
        var buckets: [UInt64: [ParkedConnection]] = [:]
        /// The next tick the driver has not taken yet.
        var cursor: UInt64

        /// Takes every bucket due at or before `nowTick`.
        mutating func take(through nowTick: UInt64, into woken: inout [ParkedConnection]) {
            if buckets.isEmpty {
                cursor = max(cursor, nowTick + 1)
                return
            }
            while cursor <= nowTick {
                if let bucket = buckets.removeValue(forKey: cursor) { woken += bucket }
                cursor += 1
            }
        }
    }

    private let wheels: [Locked<Wheel>]
    /// Connections parked (counted before they reach their wheel, so never under the true number).
    private let parked = Atomic<Int>(0)
    /// Connections woken whose step has not finished.
    private let running = Atomic<Int>(0)
    private let idleWaiters = Locked<[CheckedContinuation<Void, Never>]>([])
    private let clock: EngineClock

    init(clock: EngineClock = .realtime) {
        self.clock = clock
        let cursor = clock.now() / Self.tick
        wheels = (0..<Self.stripes).map { _ in Locked(Wheel(cursor: cursor)) }
    }

    /// Parks `connection` until its `due` time (or the driver's next tick, if that has passed).
    func park(_ connection: ParkedConnection) {
        parked.add(1, ordering: .sequentiallyConsistent)
        wheels[connection.index % Self.stripes].withLock { wheel in
            wheel.buckets[max(connection.due / Self.tick, wheel.cursor), default: []].append(connection)
        }
    }

    /// Whether nothing is parked and no step is running. (A step parks before it counts itself
    /// finished, and the driver counts a step running before it stops counting it parked, so the
    /// two are never both zero while a connection is live.)
    private var isIdle: Bool {
        parked.load(ordering: .sequentiallyConsistent) == 0 && running.load(ordering: .sequentiallyConsistent) == 0
    }

    /// Returns once nothing is parked and no step is running.
    func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = idleWaiters.withLock { waiters -> Bool in
                if isIdle { return true }
                waiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func resumeWaitersIfIdle() {
        let waiters = idleWaiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            guard !waiters.isEmpty, isIdle else { return [] }
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Wakes due connections and runs `step` for each, until `finished()` says the run is over and the lot is idle.
    func drive(finished: @escaping @Sendable () -> Bool,
               step: @escaping @Sendable (ParkedConnection) async -> Void) async {
        await withDiscardingTaskGroup { group in
            while true {
                let nowTick = clock.now() / Self.tick
                var woken: [ParkedConnection] = []
                for wheel in wheels {
                    wheel.withLock { $0.take(through: nowTick, into: &woken) }
                }
                if woken.isEmpty {
                    if isIdle, finished() { return }
                } else {
                    let count = woken.count
                    running.add(count, ordering: .sequentiallyConsistent)
                    parked.subtract(count, ordering: .sequentiallyConsistent)
                    // One child per 512 steps, each step in a child of that one: no group ever holds
                    // more than a few hundred children (see `StormRunner.forEachConcurrently`).
                    group.addTask {
                        await StormRunner.forEachConcurrently(woken) { connection in
                            await step(connection)
                        }
                        self.running.subtract(count, ordering: .sequentiallyConsistent)
                        self.resumeWaitersIfIdle()
                    }
                }
                try? await Task.sleep(for: .nanoseconds(Int64(Self.tick)))
            }
        }
    }
}
