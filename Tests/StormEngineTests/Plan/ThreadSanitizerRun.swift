import Testing

/// Whether these tests were built for `.ci/run`'s ThreadSanitizer pass (with `-DFLAGSTORM_PERTURB`).
///
/// Why the plan tests ask: a plan runs on the simulation's one thread and is deterministic, so
/// ThreadSanitizer has nothing to find in it, while its instrumentation makes the simulation about
/// 40 times slower; the larger plans then take minutes of CPU and starve the realtime HTTP tests
/// running beside them past their timeouts. The small hand-checked plans still run there.
enum ThreadSanitizerRun {
    #if FLAGSTORM_PERTURB
    static let isActive = true
    #else
    static let isActive = false
    #endif

    /// The reason a large simulated plan test gives for skipping the sanitizer run.
    static let reason: Comment = "single-threaded and deterministic: nothing for ThreadSanitizer to find, and its slowdown starves the realtime tests"
}
