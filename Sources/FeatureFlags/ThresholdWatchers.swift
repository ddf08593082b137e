/// Continuations waiting for a counter to reach a threshold.
///
/// Lets tests learn, by promise rather than by sleeping, that the code under
/// test has reached a waiting point ("1,000 callers are parked on the fetch",
/// "an acquire is queued behind the lock"). Stored inside the lock that guards
/// the counter; the continuations it returns are resumed after that lock is released.
struct ThresholdWatchers: Sendable {
    private var watchers: [(threshold: Int, continuation: CheckedContinuation<Void, Never>)] = []

    init() {}

    /// Registers `continuation` unless `current` already reaches `threshold`; returns whether it is already satisfied.
    mutating func add(threshold: Int, current: Int, _ continuation: CheckedContinuation<Void, Never>) -> Bool {
        if current >= threshold { return true }
        watchers.append((threshold, continuation))
        return false
    }

    /// Removes and returns the watchers satisfied by `current`.
    mutating func takeSatisfied(by current: Int) -> [CheckedContinuation<Void, Never>] {
        guard !watchers.isEmpty else { return [] }
        var ready: [CheckedContinuation<Void, Never>] = []
        watchers.removeAll { watcher in
            if watcher.threshold <= current { ready.append(watcher.continuation); return true }
            return false
        }
        return ready
    }
}
