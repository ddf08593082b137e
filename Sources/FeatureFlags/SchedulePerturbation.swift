#if FLAGSTORM_PERTURB
/// Schedule perturbation for ThreadSanitizer runs (built only with `-DFLAGSTORM_PERTURB`, see `.ci/run`).
///
/// Why: on two cores the interleavings that expose a race (a release while a
/// fetch is in flight, an acquire during a close) are rare; a random yield or a
/// short sleep at the core's suspension points makes them likelier, so
/// ThreadSanitizer sees more of them. Never in a normal build: the calls are
/// compiled out, not skipped at run time.
enum SchedulePerturbation {
    /// One in four calls yields, one in sixteen sleeps 50 µs; nothing for a task with a task
    /// executor preference (a simulated run: its seeded scheduler perturbs already, deterministically,
    /// and a real sleep or an unseeded draw would make it unreplayable).
    static func point() async {
        guard withUnsafeCurrentTask(body: { $0?.unownedTaskExecutor == nil }) else { return }
        switch UInt8.random(in: 0..<16) {
        case 0: try? await Task.sleep(for: .microseconds(50))
        case 1...4: await Task.yield()
        default: break
        }
    }
}
#endif

#if FLAGSTORM_PLANTED_DATA_RACE
/// A planted data race (built only with `-DFLAGSTORM_PLANTED_DATA_RACE`): a counter every fetch
/// increments without synchronisation, for checking that the ThreadSanitizer run reports one.
enum PlantedDataRace {
    nonisolated(unsafe) static var fetchesStarted = 0
}
#endif
