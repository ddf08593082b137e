import Simulation

/// A Sendable list that simulated tasks append to (single-threaded in a run, but the closures must be Sendable).
final class Recorder<Element: Sendable>: Sendable {
    private let storage = SimulationLock<[Element]>([])

    func append(_ element: Element) { storage.withLock { $0.append(element) } }
    var items: [Element] { storage.withLock { $0 } }
}

/// A Sendable integer cell with separate read and write, so that a test can build a check-then-act race.
final class Cell: Sendable {
    private let storage = SimulationLock<Int>(0)

    func read() -> Int { storage.withLock { $0 } }
    func write(_ value: Int) { storage.withLock { $0 = value } }
}

/// One simulated minute, in nanoseconds.
let minute: UInt64 = 60_000_000_000
