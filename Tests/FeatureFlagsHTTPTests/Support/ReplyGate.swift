import Synchronization

/// A latch the test opens to release the replies held behind it (readiness by promise, not by sleep).
final class ReplyGate: Sendable {
    private struct State {
        var isOpen = false
        var pending: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    /// Releases every held reply, and every later one at once.
    func open() {
        let pending = state.withLock { state in
            state.isOpen = true
            defer { state.pending = [] }
            return state.pending
        }
        for action in pending { action() }
    }

    /// Runs `action` once the gate is open (at once when it already is).
    func whenOpen(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            if state.isOpen { return true }
            state.pending.append(action)
            return false
        }
        if runNow { action() }
    }
}
