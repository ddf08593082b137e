import FeatureFlags
import FlagServer
import Synchronization

/// Per-host figures the harness keeps while connections check: the TTL windows
/// in which some connection asked (the minimum fetch count of a correct cache)
/// and whether the host has answered before (to tell a warm check that waited
/// on a refresh, W9).
///
/// Why atomics: every check touches its host's probe. A check reads
/// ``windowEnd`` (a load of a rarely written line) and writes only when it
/// opens a new window, once per host per TTL; no lock on the check path
/// (house style rule 4).
final class HostProbe: Sendable {
    /// The host's index in the scenario.
    let index: Int
    /// The host's plain (normalised) name.
    let name: String
    /// The TTL a correct cache would honour for this host, in nanoseconds.
    let ttlNanoseconds: UInt64
    /// The flag's truth over time for this host.
    let truth: FlagTruth
    private let windowEnd = Atomic<UInt64>(0)
    private let windows = Atomic<Int>(0)
    private let firstAnswer = Atomic<UInt64>(0)
    private let lastFetchFinished = Atomic<UInt64>(0)
    /// When each window opened (precise monotonic nanoseconds), for the report's timeline.
    /// Appended once per host per TTL, by the check that won the window, so the lock is off the check path.
    private let windowOpenings = Locked<[UInt64]>([])

    /// When each TTL window opened, in order.
    var windowStarts: [UInt64] { windowOpenings.withLock { $0 } }

    /// Notes that a fetch for this host finished at `time`.
    func fetchFinished(at time: UInt64) {
        lastFetchFinished.store(time, ordering: .relaxed)
    }

    /// Whether a fetch for this host finished within `start...finish` (the check may have waited on it).
    func fetchFinished(between start: UInt64, and finish: UInt64) -> Bool {
        let last = lastFetchFinished.load(ordering: .relaxed)
        return last >= start && last <= finish
    }

    init(index: Int, name: String, ttl: Duration, truth: FlagTruth) {
        self.index = index
        self.name = name
        self.ttlNanoseconds = UInt64(max(ttl.flagNanoseconds, 1))
        self.truth = truth
    }

    /// Notes that a connection's check was answered at `now` (precise monotonic nanoseconds).
    ///
    /// Greedy windows: the first answer opens a window of one TTL; the first
    /// answer at or after its end opens the next. That count is the fewest
    /// fetches any cache that never answers with a value older than the TTL
    /// could have made. Why answer times, not ask times: callers that wait on a
    /// fetch get a value that is fresh when it arrives, so a correct cache that
    /// counts age from the response covers one latency more per window than
    /// windows opened at ask times allow (many-hosts under `recommended` made
    /// 2,624 fetches against an ask-time "minimum" of 2,644).
    @inline(__always)
    func asked(at now: UInt64) {
        var end = windowEnd.load(ordering: .relaxed)
        while now >= end {
            let (exchanged, original) = windowEnd.compareExchange(
                expected: end, desired: now + ttlNanoseconds, ordering: .relaxed)
            if exchanged {
                windows.add(1, ordering: .relaxed)
                windowOpenings.withLock { $0.append(now) }
                return
            }
            end = original
        }
    }

    /// TTL windows in which some connection asked.
    var minimumFetches: Int { windows.load(ordering: .relaxed) }

    /// Notes that a check finished at `finish`; returns whether some check had
    /// already finished before `start` (the host was warm when this one began).
    @inline(__always)
    func answered(start: UInt64, finish: UInt64) -> Bool {
        let first = firstAnswer.load(ordering: .relaxed)
        if first != 0 { return first <= start }
        _ = firstAnswer.compareExchange(expected: 0, desired: finish, ordering: .relaxed)
        return false
    }
}

/// How a check's answer compares with the server model's truth.
enum AnswerJudgement {
    /// The truth when the check started.
    case right
    /// Not the truth at that instant, but the truth within the TTL before it: the staleness a TTL cache allows.
    case stale
    /// Neither.
    case wrong
}

extension FlagTruth {
    /// Judges `answer` for a check that ran over `start...end` (elapsed since the model's start), allowing `ttl` of staleness.
    func judge(_ answer: Bool, start: Duration, end: Duration, ttl: Duration) -> AnswerJudgement {
        switch self {
        case .constant(let value):
            return answer == value ? .right : .wrong
        case .schedule(_, let flips):
            if answer == value(after: start) || answer == value(after: end) { return .right }
            // Was `answer` the truth at some instant of [start - ttl, end]? (Truth is piecewise constant.)
            let from = start - ttl
            if value(after: from) == answer { return .stale }
            for flip in flips where flip.at > from && flip.at <= end && flip.value == answer {
                return .stale
            }
            return .wrong
        }
    }
}
