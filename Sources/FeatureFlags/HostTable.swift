/// Something stored in a ``HostTable``: a class that knows its host key.
protocol HostKeyed: AnyObject, Sendable {
    var key: HostKey { get }
}

/// An open-addressing hash map from ``HostKey`` to unmanaged objects, for the
/// registries' hot lookups (acquire, check by host key).
///
/// Why not `Dictionary`: a lookup there hashes the key with a fresh SipHash
/// (about 20 ns here) although ``HostKey`` carries its hash already, and copies
/// the key's strings in and out (four reference-count pairs). Here a slot is
/// two words with no reference counting: the precomputed hash, compared first,
/// and the unmanaged object, whose own key is compared only on a hash match.
/// Linear probing, backward-shift deletion (no tombstones), load ≤ 1/2.
///
/// It owns nothing: callers retain and release the objects they store.
struct HostTable<Object: HostKeyed>: Sendable {
    private struct Slot: Sendable {
        var hash: Int
        var object: Unmanaged<Object>?
    }

    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: Slot(hash: 0, object: nil), count: size)
        mask = size - 1
    }

    /// The object stored under `key`, if any.
    @inline(__always)
    func find(_ key: HostKey) -> Unmanaged<Object>? {
        let hash = key.precomputedHash
        var index = hash & mask
        while let object = slots[index].object {
            if slots[index].hash == hash,
               object._withUnsafeGuaranteedRef({ $0.key.normalized == key.normalized }) {
                return object
            }
            index = (index &+ 1) & mask
        }
        return nil
    }

    /// Stores `object` under its own key, replacing any object stored there.
    mutating func insert(_ object: Unmanaged<Object>) {
        if (count + 1) * 2 > slots.count { grow() }
        let key = object._withUnsafeGuaranteedRef { $0.key }
        let hash = key.precomputedHash
        var index = hash & mask
        while let existing = slots[index].object {
            if slots[index].hash == hash, existing._withUnsafeGuaranteedRef({ $0.key == key }) {
                slots[index].object = object
                return
            }
            index = (index &+ 1) & mask
        }
        slots[index] = Slot(hash: hash, object: object)
        count += 1
    }

    /// Removes what is stored under `key`; returns it.
    @discardableResult
    mutating func remove(_ key: HostKey) -> Unmanaged<Object>? {
        let hash = key.precomputedHash
        var index = hash & mask
        while let object = slots[index].object {
            if slots[index].hash == hash, object._withUnsafeGuaranteedRef({ $0.key == key }) {
                shiftBack(from: index)
                count -= 1
                return object
            }
            index = (index &+ 1) & mask
        }
        return nil
    }

    /// Every stored object.
    var objects: [Unmanaged<Object>] { slots.compactMap(\.object) }

    /// Backward-shift deletion: pull later members of the probe run into the hole.
    private mutating func shiftBack(from start: Int) {
        var hole = start
        var index = (start + 1) & mask
        while let _ = slots[index].object {
            let home = slots[index].hash & mask
            // Move the slot into the hole if its home is not in (hole, index].
            let distanceToHome = (index &- home) & mask
            let distanceToHole = (index &- hole) & mask
            if distanceToHome >= distanceToHole {
                slots[hole] = slots[index]
                hole = index
            }
            index = (index &+ 1) & mask
        }
        slots[hole] = Slot(hash: 0, object: nil)
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(hash: 0, object: nil), count: old.count * 2)
        mask = slots.count - 1
        count = 0
        for slot in old { if let object = slot.object { insert(object) } }
    }
}
