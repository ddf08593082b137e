import StormReport

extension StormRunner {
    /// The least fraction of the intended opens and of the intended checks a run must deliver for its figures to
    /// describe the system: below it, `harnessKeptUp` is violated and the run fails under every policy.
    ///
    /// Why 95 %: a harness that keeps up delivers all of it, in simulation and
    /// in realtime (the default suite on this 2-core machine: 100 %, quiet or
    /// beside two busy loops, since a late wake-up delays one check rather than
    /// every later one); a saturated one falls far below
    /// (`Scenarios/scale/probe-overhead.yaml`: 20-47 %). A few per cent lost
    /// where the harness fell whole intervals behind now and then is noise;
    /// more is a harness measuring itself.
    package static let harnessKeptUpFraction = 0.95

    /// The invariant's name in reports (`invariants.harnessKeptUp` in thresholds).
    package static let harnessKeptUpName = "harnessKeptUp"

    /// The checks a connection was asked for, once it closes.
    ///
    /// A connection checks at open, then `interval` after each check ends, while
    /// the next check would start before its lifetime ends. Had every wake-up
    /// come on time, the checks it made would be exactly that many; a harness
    /// that falls a whole interval behind loses checks (see
    /// ``nextDue(after:interval:lateness:end:)``). So the checks asked for are
    /// the intervals that fit in `room` (the lifetime minus the time its checks
    /// took: the system's time, never the harness's shortfall), counting the
    /// missed checks as instant, and never fewer than it made. With no room or
    /// no interval, a connection checks once: at open.
    ///
    /// - Parameters:
    ///   - made: checks made (at least 1: the check at open).
    ///   - room: the lifetime minus the time its checks took, in nanoseconds (may be negative).
    ///   - interval: the check interval in nanoseconds (`0`: check at open only).
    static func intendedChecks(made: Int, room: Int64, interval: Int64) -> Int {
        guard interval > 0, room > 0 else { return max(made, 1) }
        let fitting = room / interval + (room % interval == 0 ? 0 : 1)
        return max(made, Int(fitting))
    }

    /// When a connection's next check is due: `interval` after this check ended, less how late the harness
    /// started this one (never before it ended); `end` (its close) when that is not before `end`, or with no interval.
    ///
    /// Why less the lateness: a connection waits `interval` after each check, so
    /// without it every late wake-up (a descheduled driver, a queue of runnable
    /// tasks, the wheel's 1 ms ticks) would push back every later check, and a
    /// harness a fraction of a millisecond late per wake-up would deliver a few
    /// per cent fewer checks than a 5 ms interval asks for while keeping up.
    /// With it, a connection's checks are due exactly when a punctual harness's
    /// would be (its own checks' time counted, as ``intendedChecks(made:room:interval:)``
    /// counts it): a late wake-up delays that one check, and checks are lost
    /// only when the harness falls a whole interval behind. Missed checks are
    /// not made up in a burst. In simulation the harness is never late, so
    /// nothing changes there.
    static func nextDue(after: UInt64, interval: UInt64, lateness: Int64, end: UInt64) -> UInt64 {
        guard interval > 0 else { return end }
        let due = Int64(bitPattern: after &+ interval) &- lateness
        let next = max(UInt64(bitPattern: max(due, 0)), after)
        return next < end ? next : end
    }

    /// The harness's delivery as the summary reports it, judged against ``harnessKeptUpFraction``.
    func harnessDelivery(_ counts: Counts) -> HarnessDelivery {
        HarnessDelivery(intendedOpens: intendedOpens.load(ordering: .relaxed), achievedOpens: counts.opened,
                        lateOpens: counts.lateStarts, intendedChecks: counts.intendedChecks,
                        // Every check ends answered or cancelled on purpose (see `check`).
                        achievedChecks: counts.answers + counts.cancelled,
                        requiredFraction: Self.harnessKeptUpFraction)
    }

    /// `harnessKeptUp`: violated when the harness delivered less than ``HarnessDelivery/requiredFraction`` of the
    /// intended opens or checks; gating under every policy, since a saturated harness's figures say nothing of either.
    ///
    /// Its violations are the operations not delivered (opens and checks, each counted only when it fell short);
    /// its example names the figures, e.g. "achieved 2,060,114 of 10,000,000 intended checks (20.6 %): …".
    static func harnessKeptUp(_ harness: HarnessDelivery) -> InvariantResult {
        var shortfalls: [String] = []
        var missing = 0
        if harness.opensShort {
            missing += harness.intendedOpens - harness.achievedOpens
            shortfalls.append("\(grouped(harness.achievedOpens)) of \(grouped(harness.intendedOpens)) intended opens (\(percentDown(harness.opensFraction)))")
        }
        if harness.checksShort {
            missing += harness.intendedChecks - harness.achievedChecks
            shortfalls.append("\(grouped(harness.achievedChecks)) of \(grouped(harness.intendedChecks)) intended checks (\(percentDown(harness.checksFraction)))")
        }
        let example = shortfalls.isEmpty ? nil
            : "achieved " + shortfalls.joined(separator: " and ")
                + ": the harness could not keep up; the figures describe a saturated harness, not the system"
        return InvariantResult(name: harnessKeptUpName, violations: shortfalls.isEmpty ? 0 : max(missing, 1), example: example, gating: true)
    }

    /// `n` with thousands separators (`10,000,000`), the same in every locale.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var text = n < 0 ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }

    /// A fraction as a percentage rounded down to a tenth (`20.6 %`), so a figure under the bound never reads as on it.
    static func percentDown(_ fraction: Double) -> String {
        let tenths = Int((max(fraction, 0) * 1000).rounded(.down))
        return "\(tenths / 10).\(tenths % 10) %"
    }
}
