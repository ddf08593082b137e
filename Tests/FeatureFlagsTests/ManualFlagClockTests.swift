import FeatureFlags
import Testing

@Suite struct ManualFlagClockTests {
    @Test func sleepersWakeWhenTimeReachesTheirDeadline() async throws {
        let clock = ManualFlagClock()
        let start = clock.now()
        let a = Task { try await clock.sleep(until: start + .seconds(2)); return clock.now() }
        let b = Task { try await clock.sleep(until: start + .seconds(1)); return clock.now() }
        await clock.waitForSleepers(atLeast: 2)
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 2)
        clock.advance(by: .seconds(5))
        let (wokeA, wokeB) = try await (a.value, b.value)
        #expect(wokeA >= start + .seconds(2))
        #expect(wokeB >= start + .seconds(1))
        #expect(clock.sleeperCount == 0)
        #expect(clock.now() - start == .milliseconds(5_999))
    }

    @Test func cancellationWakesASleeperWithAnError() async {
        let clock = ManualFlagClock()
        let task = Task { try await clock.sleep(until: clock.now() + .seconds(60)) }
        await clock.waitForSleepers(atLeast: 1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func coarseClockMovesForward() {
        let clock = CoarseMonotonicClock()
        let a = clock.now()
        #expect(a.nanoseconds > 0)
        #expect(clock.now() >= a)
    }
}
