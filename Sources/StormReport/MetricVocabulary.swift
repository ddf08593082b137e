/// Every report field a threshold can read, by name, with its kind; ``run`` is the run report's.
///
/// Why a list and not "whatever the JSON has": a threshold is judged after the
/// load ran, so a typo found only then costs a whole run and reads as a failed
/// gate. Checked against this list, it is bad input before anything runs, with
/// the nearest known name. The list cannot drift from the report unnoticed:
/// `MetricVocabularyTests` checks it against every numeric field of an encoded
/// ``RunSummary``, and the engine's tests check the operation, lock and
/// invariant names against a real run.
public struct MetricVocabulary: Sendable {
    /// A field under a section, with its kind.
    public struct Field: Sendable, Hashable {
        /// The JSON key (`redundant`, `p99_ns`).
        public var name: String
        /// What it measures.
        public var kind: ReportMetric.Kind
        /// Creates a field.
        public init(_ name: String, _ kind: ReportMetric.Kind) {
            self.name = name
            self.kind = kind
        }
    }

    /// A group of metrics that share a section of the report, and how their paths are built.
    public enum Family: Sendable, Hashable {
        /// One top-level value: `duration_ns`.
        case top(Field)
        /// `SECTION.FIELD`: `fetches.redundant`.
        case fields(section: String, [Field])
        /// `SECTION.KEY.FIELD` for every key (a key may contain dots): `latency.isEnabled.p99_ns`, `contention.flagCache.registry.wait_p99_ns`.
        /// `role` names the key in messages (`OPERATION`).
        case keyed(section: String, role: String, keys: [String], fields: [Field])
        /// `SECTION.KEY`, each key one metric of `kind`: `invariants.oneLiveClientPerHost`.
        case named(section: String, role: String, keys: [String], kind: ReportMetric.Kind)

        /// The first component of its paths.
        public var section: String {
            switch self {
            case .top(let field): field.name
            case .fields(let section, _), .keyed(let section, _, _, _), .named(let section, _, _, _): section
            }
        }

        /// Its metrics, in order.
        public var metrics: [ReportMetric] {
            switch self {
            case .top(let field):
                [ReportMetric([field.name], kind: field.kind)]
            case .fields(let section, let fields):
                fields.map { ReportMetric([section, $0.name], kind: $0.kind) }
            case .keyed(let section, _, let keys, let fields):
                keys.flatMap { key in fields.map { ReportMetric([section, key, $0.name], kind: $0.kind) } }
            case .named(let section, _, let keys, let kind):
                keys.map { ReportMetric([section, $0], kind: kind) }
            }
        }

        /// What its paths look like, for a name that matched none (`latency.OPERATION.FIELD: OPERATION one of …`).
        var hint: String {
            switch self {
            case .top(let field):
                field.name
            case .fields(let section, let fields):
                "\(section).FIELD with FIELD one of \(fields.map(\.name).joined(separator: ", "))"
            case .keyed(let section, let role, let keys, let fields):
                "\(section).\(role).FIELD with \(role) one of \(keys.joined(separator: ", ")) and FIELD one of \(fields.map(\.name).joined(separator: ", "))"
            case .named(let section, let role, let keys, _):
                "\(section).\(role) with \(role) one of \(keys.joined(separator: ", "))"
            }
        }
    }

    /// The operations whose latency the engine records (`latency.OPERATION.…`).
    public static let latencyOperations = ["open", "isEnabled", "close", "clientAcquire", "fetch"]
    /// The locks of the system under test whose contention the engine reports (`contention.LOCK.…`).
    public static let locks = ["flagCache.registry", "clientManager.registry"]
    /// The invariants the engine judges (`invariants.NAME` reads the violations).
    public static let invariants = [
        "oneFetchInFlightPerHost", "answersMatchTruth", "oneLiveClientPerHost", "noClientClosedWhileInUse",
        "noEventsAfterClose", "honoursRetryAfter", "noCrossHostBlocking", "fetchStateCleared", "nothingLeftAfterDrain",
        "harnessKeptUp",
    ]
    /// The fields of each `latency` entry.
    public static let latencyFields: [Field] = [
        Field("count", .count), Field("p50_ns", .duration), Field("p90_ns", .duration), Field("p99_ns", .duration),
        Field("p999_ns", .duration), Field("max_ns", .duration), Field("mean_ns", .duration),
    ]
    /// The fields of each `contention` entry (its histograms excluded: they are what the figures are read from).
    public static let lockFields: [Field] = [
        Field("acquisitions", .count), Field("contended", .count), Field("wait_p50_ns", .duration),
        Field("wait_p99_ns", .duration), Field("wait_max_ns", .duration), Field("hold_p99_ns", .duration),
    ]

    /// The run report's vocabulary (``RunSummary``): its measurements, not its description of the run
    /// (`scenario`, `environment`), its outcomes (`thresholds`, `verdict`), per-host rows or timeline.
    public static let run = MetricVocabulary(families: [
        .top(Field("duration_ns", .duration)),
        .fields(section: "connections", [
            Field("opened", .count), Field("closed", .count), Field("peakConcurrent", .count), Field("hosts", .count),
            Field("lateStarts", .count), Field("dropped", .count), Field("bytesPerConnection", .bytes),
        ]),
        .fields(section: "fetches", [
            Field("total", .count), Field("minimum", .count), Field("redundant", .count), Field("failed", .count),
            Field("rateLimited", .count), Field("beforeRetryAfter", .count), Field("peakPerHostPerMinute", .count),
        ]),
        .fields(section: "answers", [
            Field("total", .count), Field("wrong", .count), Field("errors", .count), Field("cancelled", .count),
            Field("waitedOnRefresh", .count), Field("stale", .count),
        ]),
        .keyed(section: "latency", role: "OPERATION", keys: latencyOperations, fields: latencyFields),
        .keyed(section: "contention", role: "LOCK", keys: locks, fields: lockFields),
        .fields(section: "lifecycle", [
            Field("clientsStarted", .count), Field("clientsClosed", .count), Field("peakClientsPerHost", .count),
            Field("clientsClosedWhileInUse", .count), Field("eventsAfterClose", .count), Field("doubleReleases", .count),
            Field("acquiresBlockedByOtherHost", .count),
        ]),
        .fields(section: "leaks", [
            Field("cacheEntriesAfterDrain", .count), Field("clientsAfterDrain", .count), Field("leasesOutstanding", .count),
            Field("tasksOutstanding", .count), Field("allocatedBytesGrowth", .bytes), Field("fdGrowth", .count),
        ]),
        .fields(section: "harness", [
            Field("intendedOpens", .count), Field("achievedOpens", .count), Field("lateOpens", .count),
            Field("intendedChecks", .count), Field("achievedChecks", .count), Field("opensFraction", .ratio),
            Field("checksFraction", .ratio), Field("achievedFraction", .ratio), Field("requiredFraction", .ratio),
        ]),
        .named(section: "invariants", role: "INVARIANT", keys: invariants, kind: .count),
    ])

    /// The families, in report order.
    public let families: [Family]
    /// Every metric, in report order.
    public let metrics: [ReportMetric]
    private let byName: [String: ReportMetric]

    /// Creates a vocabulary of `families` (a name listed twice keeps its first kind).
    public init(families: [Family]) {
        self.families = families
        metrics = families.flatMap(\.metrics)
        byName = Dictionary(metrics.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The metric a threshold names with `name` (`latency.isEnabled.p99_ns`), or `nil`.
    public func metric(named name: String) -> ReportMetric? { byName[name] }

    /// Why `name` is no metric: the nearest known name, else what names in its section (or any section) look like.
    ///
    /// `answers.wrng` → `no such report field answers.wrng; did you mean answers.wrong?`
    public func unknownNameMessage(_ name: String) -> String {
        if let suggestion = Self.suggestion(for: name, among: metrics.map(\.name)) {
            return "no such report field \(name); did you mean \(suggestion)?"
        }
        let section = families.filter { name == $0.section || name.hasPrefix($0.section + ".") }
        if !section.isEmpty {
            return "no such report field \(name) (\(section.map(\.hint).joined(separator: "; ")))"
        }
        return "no such report field \(name) (report fields start with \(families.map(\.section).joined(separator: ", ")))"
    }

    /// The known name closest to `name` by edit distance, case-insensitively, if close enough to be a typo:
    /// within 2 edits, or 3 for names longer than 12 characters (paths are long, and a typo in each of two parts is common).
    public static func suggestion(for name: String, among known: [String]) -> String? {
        let lowered = name.lowercased()
        let allowed = name.count > 12 ? 3 : 2
        var best: (name: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance <= allowed, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// The Levenshtein distance between `a` and `b`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
