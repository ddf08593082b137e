/// The runnable jobs of a run and the seeded choice among them.
///
/// Lives inside the executor's lock; every method is O(1) (random) or O(log n)
/// (PCT), so a step costs the same with ten runnable tasks or ten thousand.
struct RunQueue {
    /// A runnable job and the simulation's number for its task (0: not a task, see ``SimulationExecutor``).
    struct Entry {
        let job: UnownedJob
        let task: UInt32
    }

    /// A PCT entry, ordered so that the heap's minimum is the highest priority
    /// (ties, which only anonymous jobs can produce, go to the earlier enqueue).
    struct RankedEntry: Comparable {
        let priority: UInt64
        let sequence: UInt64
        let entry: Entry

        static func < (lhs: RankedEntry, rhs: RankedEntry) -> Bool {
            lhs.priority != rhs.priority ? lhs.priority > rhs.priority : lhs.sequence < rhs.sequence
        }

        static func == (lhs: RankedEntry, rhs: RankedEntry) -> Bool {
            lhs.priority == rhs.priority && lhs.sequence == rhs.sequence
        }
    }

    private var random: SeededRandom
    private let isPCT: Bool
    private var uniform: [Entry] = []
    private var ranked = BinaryHeap<RankedEntry>()
    private var sequence: UInt64 = 0
    /// PCT: each task's current priority; initial ones are at least 2^63, demoted ones are `depth − i` (< 2^63).
    private var priorities: [UInt32: UInt64] = [:]
    /// PCT: the change points, ascending, and how many have passed.
    private var changePoints: [UInt64] = []
    private var changePointsPassed = 0
    private var depth: UInt64 = 1

    init(seed: UInt64, strategy: SchedulingStrategy) {
        random = SeededRandom(seed: seed)
        switch strategy {
        case .random:
            isPCT = false
        case let .pct(depth, expectedSteps):
            isPCT = true
            self.depth = UInt64(max(depth, 1))
            let range = UInt64(max(expectedSteps, 1))
            var points = Set<UInt64>()
            let wanted = min(Int(self.depth) - 1, Int(range))
            while points.count < wanted {
                points.insert(1 + random.next(below: range))
            }
            changePoints = points.sorted()
        }
    }

    var isEmpty: Bool { isPCT ? ranked.isEmpty : uniform.isEmpty }
    var count: Int { isPCT ? ranked.count : uniform.count }

    /// Adds a runnable job of task `task` (0 for a job that is not a task).
    ///
    /// A job that is not a task (a runtime trampoline such as the one `Task.yield()`
    /// enqueues, or an actor's processing job) takes the PCT priority of `origin`,
    /// the task that enqueued it: otherwise a yield would hand the turn to a
    /// random rival and PCT would preempt where its change points say it must not.
    mutating func add(_ job: UnownedJob, task: UInt32, origin: UInt32 = 0) {
        let entry = Entry(job: job, task: task)
        guard isPCT else {
            uniform.append(entry)
            return
        }
        let priority: UInt64
        if task == 0 {
            priority = priorities[origin] ?? (random.next() | (1 << 63))
        } else if let known = priorities[task] {
            priority = known
        } else {
            // First sight: a random rank among all tasks, which is what a random
            // permutation of priorities assigned up front would give.
            priority = random.next() | (1 << 63)
            priorities[task] = priority
        }
        sequence &+= 1
        ranked.insert(RankedEntry(priority: priority, sequence: sequence, entry: entry))
    }

    /// Removes and returns the job to run as step number `step` (1-based).
    mutating func next(step: UInt64) -> Entry? {
        guard isPCT else {
            guard !uniform.isEmpty else { return nil }
            let index = Int(random.next(below: UInt64(uniform.count)))
            uniform.swapAt(index, uniform.count - 1)
            return uniform.removeLast()
        }
        guard let top = ranked.popMin() else { return nil }
        if changePointsPassed < changePoints.count, changePoints[changePointsPassed] == step {
            changePointsPassed += 1
            // Demote the task running at the change point below every other task
            // (and below the tasks demoted earlier): its next job waits its turn.
            if top.entry.task != 0 {
                priorities[top.entry.task] = depth - UInt64(changePointsPassed)
            }
        }
        return top.entry
    }

    /// Drops every job (a failed run's tasks are abandoned; see ``SimulationExecutor/run(seed:strategy:limits:_:)``).
    mutating func removeAll() {
        uniform.removeAll()
        ranked.removeAll()
    }

    /// Hands the jobs queued so far to a queue for a new run, in their enqueue order.
    func drain() -> [Entry] {
        isPCT ? ranked.storage.sorted { $0.sequence < $1.sequence }.map(\.entry) : uniform
    }
}
