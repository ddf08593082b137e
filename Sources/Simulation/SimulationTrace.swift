/// What one simulated run did: every step (which task ran, at what virtual time) and every note, with a digest.
///
/// Why a digest: the determinism check (two runs of one seed must give identical
/// traces, as madsim checks) compares two 64-bit numbers instead of two event
/// lists, and it covers every event even when only the last ones are kept
/// (a run of a million connections has tens of millions of steps).
public struct SimulationTrace: Sendable, CustomStringConvertible {
    /// The seed of the run.
    public let seed: UInt64
    /// The strategy of the run.
    public let strategy: SchedulingStrategy
    /// The last events, oldest first: all of them unless the run had more than the
    /// limits' ``SimulationLimits/traceCapacity``.
    public private(set) var events: [SimulationEvent] = []
    /// How many events the run recorded in all (steps and notes).
    public private(set) var eventCount: UInt64 = 0
    /// How many jobs the run executed.
    public private(set) var stepCount: UInt64 = 0
    /// How many distinct tasks the run saw.
    public internal(set) var taskCount: UInt32 = 0
    /// The virtual time when the run ended.
    public internal(set) var finalVirtualTime: UInt64 = 0
    /// FNV-1a (64-bit) over every event in order: equal digests mean equal traces, to 2^-64.
    public private(set) var digest: UInt64 = SimulationTrace.fnvOffsetBasis

    private let capacity: Int

    /// Creates an empty trace that keeps at most `capacity` recent events.
    public init(seed: UInt64, strategy: SchedulingStrategy, capacity: Int) {
        self.seed = seed
        self.strategy = strategy
        self.capacity = max(capacity, 0)
    }

    /// How many early events were dropped to keep ``events`` within the capacity.
    public var droppedEventCount: UInt64 { eventCount - UInt64(events.count) }

    /// The kept notes, oldest first ("which connection did what, at what virtual time").
    public var notes: [SimulationEvent] {
        events.filter { if case .note = $0.kind { return true } else { return false } }
    }

    /// Appends an event to the digest and to the kept window.
    mutating func record(_ event: SimulationEvent) {
        eventCount += 1
        if case .step = event.kind { stepCount += 1 }
        var hash = digest
        switch event.kind {
        case .step:
            hash = Self.fnv(hash, byte: 1)
        case let .note(label):
            hash = Self.fnv(hash, byte: 2)
            for byte in label.utf8 { hash = Self.fnv(hash, byte: byte) }
            hash = Self.fnv(hash, byte: 0)
        }
        hash = Self.fnv(hash, word: event.step)
        hash = Self.fnv(hash, word: event.virtualTime)
        hash = Self.fnv(hash, word: UInt64(event.task))
        digest = hash
        guard capacity > 0 else { return }
        // Amortised ring: let the array grow to twice the capacity, then drop the older half.
        if events.count >= 2 * capacity { events.removeFirst(events.count - capacity + 1) }
        events.append(event)
    }

    /// The last `count` kept events, one a line, after a header naming seed,
    /// strategy, steps, tasks and digest: the short trace a failing run prints.
    public func rendered(last count: Int = 40, notesOnly: Bool = false) -> String {
        let pool = notesOnly ? notes : events
        let shown = pool.suffix(max(count, 0))
        var lines = [
            "seed \(seed) strategy \(strategy): \(stepCount) steps, \(taskCount) tasks, ends at "
                + "\(Self.format(time: finalVirtualTime)), digest \(Self.hex(digest))",
        ]
        let hidden = UInt64(pool.count - shown.count) + (notesOnly ? 0 : droppedEventCount)
        if hidden > 0 { lines.append("… \(hidden) earlier events") }
        lines.append(contentsOf: shown.map(\.description))
        return lines.joined(separator: "\n")
    }

    /// The last 40 events with their header (see ``rendered(last:notesOnly:)``).
    public var description: String { rendered() }

    /// Virtual nanoseconds as seconds with nanosecond precision: `t+900.000000250s`.
    public static func format(time nanoseconds: UInt64) -> String {
        let fraction = String(nanoseconds % 1_000_000_000)
        return "t+\(nanoseconds / 1_000_000_000).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)s"
    }

    /// A digest as 16 hexadecimal digits.
    public static func hex(_ digest: UInt64) -> String {
        let digits = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static let fnvOffsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    @inline(__always)
    static func fnv(_ hash: UInt64, byte: UInt8) -> UInt64 { (hash ^ UInt64(byte)) &* fnvPrime }

    @inline(__always)
    static func fnv(_ hash: UInt64, word: UInt64) -> UInt64 {
        var hash = hash
        var rest = word
        for _ in 0..<8 {
            hash = fnv(hash, byte: UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
        return hash
    }
}
