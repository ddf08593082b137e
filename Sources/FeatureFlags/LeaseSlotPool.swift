import Synchronization

/// One reusable lease record. Its generation is odd while a lease is out and even when free.
final class LeaseSlot: Sendable {
    let generation = Atomic<UInt64>(0)
}

/// Proof of one acquisition: which slot, and the odd generation it was issued under.
///
/// Why generations: a lease must be releasable exactly once, and a second
/// release must be visible (counted) rather than take a reference that another
/// connection still holds (weakness W4). A compare-and-swap from the issued
/// generation to the next one succeeds for the first release only, even after
/// the slot has been reissued to someone else. Slots are pooled so that an
/// acquire+release cycle allocates nothing.
struct LeaseTicket: Sendable {
    let slot: LeaseSlot
    let generation: UInt64

    /// Marks the lease released; `false` when it already was (a double release).
    @inline(__always)
    func release() -> Bool {
        slot.generation.compareExchange(
            expected: generation, desired: generation &+ 1, ordering: .acquiringAndReleasing
        ).exchanged
    }

    /// Whether this lease is still out.
    var isOutstanding: Bool { slot.generation.load(ordering: .acquiring) == generation }
}

/// The slots of one registry. It lives inside that registry's lock, so issuing
/// is plain code under a lock already held; releasing needs no lock at all.
///
/// Free slots are found lazily: when the free list runs dry, one pass over all
/// slots collects those released since, and the pool grows when fewer than half
/// are free, so issuing is amortised O(1) and the pool stays within about twice
/// the peak number of outstanding leases.
struct LeaseSlotPool: Sendable {
    private var slots: [LeaseSlot] = []
    private var free: [LeaseSlot] = []

    init() {}

    /// Issues a ticket on a free slot.
    @inline(__always)
    mutating func issue() -> LeaseTicket {
        if free.isEmpty { refill() }
        let slot = free.removeLast()
        let generation = slot.generation.load(ordering: .relaxed) &+ 1
        slot.generation.store(generation, ordering: .releasing)
        return LeaseTicket(slot: slot, generation: generation)
    }

    /// Number of slots whose lease is out.
    var outstanding: Int {
        slots.reduce(0) { $0 + Int($1.generation.load(ordering: .acquiring) & 1) }
    }

    @inline(never)
    private mutating func refill() {
        for slot in slots where slot.generation.load(ordering: .acquiring) & 1 == 0 {
            free.append(slot)
        }
        if free.count < Swift.max(8, slots.count / 2) {
            let added = Swift.max(8, slots.count)
            free.reserveCapacity(free.count + added)
            for _ in 0..<added {
                let slot = LeaseSlot()
                slots.append(slot)
                free.append(slot)
            }
        }
    }
}
