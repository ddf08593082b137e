import Synchronization

/// One reusable lease record. Its generation is odd while a lease is out and even when free.
///
/// Slots are owned by their pool and never freed while the cache lives, so a
/// lease can point at its slot without a reference count (see ``LeaseTicket``).
final class LeaseSlot: @unchecked Sendable {
    let generation = Atomic<UInt64>(0)
    /// Second and later releases of a lease issued on this slot.
    let doubleReleases = Atomic<UInt64>(0)
    /// What the lease is on (an entry handle or client holder), as an opaque
    /// identity for the sweeper. Written and read only under the owning
    /// registry's lock, which is why this class is `@unchecked Sendable`.
    var holder: UnsafeMutableRawPointer?
}

/// Proof of one acquisition: which slot, and the odd generation it was issued under.
///
/// Why generations: a lease must be releasable exactly once, and a second
/// release must be visible (counted) rather than take a reference that another
/// connection still holds (weakness W4). A compare-and-swap from the issued
/// generation to the next one succeeds for the first release only, even after
/// the slot has been reissued to someone else.
///
/// Why unmanaged: a lease is a value that connections copy freely; holding the
/// slot strongly would cost two atomic reference-count operations per
/// acquire+release, a third of the budget. The pool keeps every slot alive for
/// the cache's lifetime (and beyond it if leases are still out, see
/// ``FeatureFlagCache``), so the unowned reference never dangles.
struct LeaseTicket: Sendable {
    let slot: Unmanaged<LeaseSlot>
    let generation: UInt64

    /// Marks the lease released; `false` (and counted on the slot) when it already was.
    @inline(__always)
    func release() -> Bool {
        slot._withUnsafeGuaranteedRef { slot in
            if slot.generation.compareExchange(
                expected: generation, desired: generation &+ 1, ordering: .acquiringAndReleasing
            ).exchanged {
                return true
            }
            slot.doubleReleases.wrappingAdd(1, ordering: .relaxed)
            return false
        }
    }

    /// Whether this lease is still out.
    @inline(__always)
    var isOutstanding: Bool {
        slot._withUnsafeGuaranteedRef { $0.generation.load(ordering: .acquiring) == generation }
    }
}

/// The slots of one registry. It lives inside that registry's lock, so issuing
/// is plain code under a lock already held; releasing needs no lock at all.
///
/// Issuing scans slots round-robin from a cursor for one whose lease was
/// released (its generation is even). The pool doubles when a scan finds none,
/// or had to pass more than half the pool to find one: so it grows only when
/// at least half its slots are out, stays within four times the peak number of
/// outstanding leases, and a scan is short on average (no free list to keep in
/// step with lock-free releases). The hot path touches only unmanaged
/// references: no reference counting.
struct LeaseSlotPool: Sendable {
    /// Ownership of the slots (never shrinks while the registry lives).
    private(set) var slots: [LeaseSlot] = []
    /// The same slots, unmanaged, for issuing without reference counting.
    private var unmanaged: [Unmanaged<LeaseSlot>] = []
    private var cursor = 0

    init() {}

    /// Issues a ticket on a free slot, recording what it is a lease on.
    @inline(__always)
    mutating func issue(on holder: UnsafeMutableRawPointer) -> LeaseTicket {
        let count = unmanaged.count
        var scanned = 0
        while scanned < count {
            let candidate = unmanaged[cursor]
            cursor = cursor &+ 1 == count ? 0 : cursor &+ 1
            scanned &+= 1
            if let ticket = candidate._withUnsafeGuaranteedRef({ Self.take($0, candidate, holder) }) {
                if scanned > 8 && scanned > count / 2 { grow() }
                return ticket
            }
        }
        grow()
        return issue(on: holder)
    }

    @inline(__always)
    private static func take(
        _ slot: LeaseSlot, _ reference: Unmanaged<LeaseSlot>, _ holder: UnsafeMutableRawPointer
    ) -> LeaseTicket? {
        let current = slot.generation.load(ordering: .acquiring)
        guard current & 1 == 0 else { return nil }
        slot.holder = holder
        slot.generation.store(current &+ 1, ordering: .releasing)
        return LeaseTicket(slot: reference, generation: current &+ 1)
    }

    /// Doubles the pool (at least 8 slots) and points the cursor at the new ones.
    @inline(never)
    private mutating func grow() {
        let first = slots.count
        let added = Swift.max(8, slots.count)
        slots.reserveCapacity(first + added)
        unmanaged.reserveCapacity(first + added)
        for _ in 0..<added {
            let slot = LeaseSlot()
            slots.append(slot)
            unmanaged.append(Unmanaged.passUnretained(slot))
        }
        cursor = first
    }

    /// Number of slots whose lease is out.
    var outstanding: Int {
        slots.reduce(0) { $0 + Int($1.generation.load(ordering: .acquiring) & 1) }
    }

    /// What the outstanding leases are on.
    var outstandingHolders: Set<UnsafeMutableRawPointer> {
        var holders = Set<UnsafeMutableRawPointer>()
        for slot in slots where slot.generation.load(ordering: .acquiring) & 1 == 1 {
            if let holder = slot.holder { holders.insert(holder) }
        }
        return holders
    }

    /// Double releases counted on all slots.
    var doubleReleases: UInt64 {
        slots.reduce(0) { $0 &+ $1.doubleReleases.load(ordering: .relaxed) }
    }
}
