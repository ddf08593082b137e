/// The journal's entries in fixed-size chunks, so appending never copies the journal.
///
/// Why chunks: a flat array doubles by copying every entry, under the model's
/// lock; at a million entries that is tens of milliseconds during which every
/// request waits. Here an append touches only the last chunk (allocated at its
/// full size once) and, once per chunk, the short list of chunks. Readers copy
/// the list of chunks under the lock (cheap: chunk references) and flatten it
/// outside.
struct FlagServerJournalStorage: Sendable {
    /// Entries per chunk.
    static let chunkSize = 16_384

    private(set) var chunks: [[FlagServerJournalEntry]] = []
    /// Entries stored.
    private(set) var count = 0

    /// Appends `entry`.
    mutating func append(_ entry: FlagServerJournalEntry) {
        if chunks.isEmpty || chunks[chunks.count - 1].count == Self.chunkSize {
            var chunk: [FlagServerJournalEntry] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(entry)
        count += 1
    }

    /// Every entry, in order (call outside the lock on a copy).
    func flattened() -> [FlagServerJournalEntry] {
        var entries: [FlagServerJournalEntry] = []
        entries.reserveCapacity(count)
        for chunk in chunks { entries.append(contentsOf: chunk) }
        return entries
    }

    /// The last `limit` entries for which `include` holds, in arrival order, reading only as far back as needed.
    func suffix(_ limit: Int, where include: (FlagServerJournalEntry) -> Bool) -> [FlagServerJournalEntry] {
        guard limit > 0 else { return [] }
        var newestFirst: [FlagServerJournalEntry] = []
        outer: for chunk in chunks.reversed() {
            for entry in chunk.reversed() where include(entry) {
                newestFirst.append(entry)
                if newestFirst.count == limit { break outer }
            }
        }
        return newestFirst.reversed()
    }
}
