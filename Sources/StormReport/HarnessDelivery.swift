/// What the harness was asked to offer against what it offered: opens and checks, intended and achieved.
///
/// Why in the report: a harness that cannot deliver the load it was asked for
/// (too few cores, too many connections, a 1 ms check interval) measures
/// itself, not the system, and its other figures look fine: fewer checks make
/// fewer wrong answers and no late starts. k6 reports `dropped_iterations` and
/// wrk2 corrects for coordinated omission for the same reason. The engine
/// counts both sides while it runs and judges them in the `harnessKeptUp`
/// invariant; renderers only show these figures.
///
/// What "intended" means, per executor (`flagstorm.run/1` since this block;
/// older reports have none):
/// - **opens**: `burst` its `connections`; `constant-arrival` and
///   `ramping-arrival` every arrival of the schedule (an arrival dropped at
///   `maxConnections` is intended but not achieved); `constant-connections`
///   its slots plus one replacement for every connection that closed before its
///   slot ended (a closed model: each close asks for its replacement, which the
///   closing task opens at once, so its opens follow the system's pace and
///   match by construction; its harness lag shows in the checks). Per round and
///   within the run's shard.
/// - **checks**: per connection that opened, the checks its lifetime has room
///   for at its `checkInterval` once its own checks' time is taken out (a
///   connection checks at open, then `checkInterval` after each check ends):
///   `max(made, ⌈(lifetime − time in checks) / checkInterval⌉)`, and exactly one
///   for a connection with no lifetime or no interval. Time a check spends
///   waiting on the system (a cold fetch, a hung server) is the system's, not
///   the harness's; a check the harness starts a whole interval or more late
///   (a saturated driver, a queue of runnable tasks) costs the checks it skipped.
///   A smaller lateness costs nothing: the next check is due on a punctual
///   harness's schedule.
public struct HarnessDelivery: Codable, Sendable, Hashable {
    /// Connections the executor was asked to open (see the type's documentation, per executor).
    public var intendedOpens: Int
    /// Connections that opened (acquired their leases); for open models, the intended minus the dropped.
    public var achievedOpens: Int
    /// Of the achieved opens, those that started more than a millisecond after their scheduled moment (open models only;
    /// their `open` latency counts from the schedule). Reported, not judged: a late open still offered its load.
    public var lateOpens: Int
    /// Checks the connections that opened were asked for: per connection, what its lifetime and `checkInterval` make room for.
    public var intendedChecks: Int
    /// Checks the connections made (``AnswerCounts/total`` plus the checks cancelled on purpose).
    public var achievedChecks: Int
    /// `achievedOpens / intendedOpens` (1 when nothing was intended).
    public var opensFraction: Double
    /// `achievedChecks / intendedChecks` (1 when nothing was intended).
    public var checksFraction: Double
    /// The smaller of ``opensFraction`` and ``checksFraction``: how much of the asked-for load the harness delivered.
    public var achievedFraction: Double
    /// The fraction below which `harnessKeptUp` is violated (0.95 when written): the figures then describe a saturated harness.
    public var requiredFraction: Double

    /// Creates the block; the fractions are computed here, once.
    public init(intendedOpens: Int, achievedOpens: Int, lateOpens: Int = 0, intendedChecks: Int, achievedChecks: Int,
                requiredFraction: Double) {
        self.intendedOpens = intendedOpens
        self.achievedOpens = achievedOpens
        self.lateOpens = lateOpens
        self.intendedChecks = intendedChecks
        self.achievedChecks = achievedChecks
        self.opensFraction = Self.fraction(achievedOpens, of: intendedOpens)
        self.checksFraction = Self.fraction(achievedChecks, of: intendedChecks)
        self.achievedFraction = min(opensFraction, checksFraction)
        self.requiredFraction = requiredFraction
    }

    /// Whether the opens fell short of ``requiredFraction``.
    public var opensShort: Bool { opensFraction < requiredFraction }
    /// Whether the checks fell short of ``requiredFraction``.
    public var checksShort: Bool { checksFraction < requiredFraction }

    /// `part / whole`, or 1 when nothing was intended (nothing was missed).
    static func fraction(_ part: Int, of whole: Int) -> Double {
        whole > 0 ? Double(part) / Double(whole) : 1
    }
}
