import StormReport

/// The one-screen text summary `flagstorm run` prints after each scenario and policy.
///
/// Why this shape: the person reading it at 2 a.m. wants the verdict, what
/// failed and the observed value first, then the handful of figures that
/// explain it; everything else is in the JSON.
public enum ConsoleSummary {
    /// Renders `summary` in at most about 25 lines.
    public static func render(_ summary: RunSummary) -> String {
        var lines: [String] = []
        let verdict = summary.verdict == .pass ? "PASS" : "FAIL"
        lines.append("\(verdict)  \(summary.scenario.name) [\(summary.scenario.policy)]  \(duration(summary.durationNanoseconds))  seed \(summary.scenario.seed)")
        let c = summary.connections
        lines.append("  connections  opened \(c.opened)  closed \(c.closed)  peak \(c.peakConcurrent)  hosts \(c.hosts)"
                     + (c.lateStarts > 0 ? "  late \(c.lateStarts)" : "") + (c.dropped > 0 ? "  dropped \(c.dropped)" : "") + (c.bytesPerConnection.map { "  \($0) B/connection" } ?? ""))
        if let h = summary.harness {
            // Always shown (not only when short): "100 %" says the figures below describe the system, and a
            // slide towards the bound shows before the gate trips; the invariant line below says when it did.
            lines.append("  offered      checks \(offered(h.achievedChecks, of: h.intendedChecks, h.checksFraction))"
                         + "  opens \(offered(h.achievedOpens, of: h.intendedOpens, h.opensFraction))")
        }
        let f = summary.fetches
        lines.append("  fetches      total \(f.total)  minimum \(f.minimum)  redundant \(f.redundant)  failed \(f.failed)  429 \(f.rateLimited)  before-Retry-After \(f.beforeRetryAfter)  peak/host/min \(f.peakPerHostPerMinute)")
        let a = summary.answers
        lines.append("  answers      total \(a.total)  wrong \(a.wrong)  errors \(a.errors)  stale \(a.stale)  waited-on-refresh \(a.waitedOnRefresh)  cancelled \(a.cancelled)")
        for operation in ["open", "isEnabled", "close", "fetch"] {
            guard let entry = summary.latency[operation], entry.count > 0 else { continue }
            lines.append("  \(pad(operation, 12)) n \(entry.count)  p50 \(duration(entry.p50Nanoseconds))  p99 \(duration(entry.p99Nanoseconds))  p99.9 \(duration(entry.p999Nanoseconds))  max \(duration(entry.maxNanoseconds))")
        }
        for (name, lock) in summary.contention.sorted(by: { $0.key < $1.key }) {
            lines.append("  lock \(pad(name, 24)) acquisitions \(lock.acquisitions)  contended \(lock.contended)  wait p99 \(duration(lock.waitP99Nanoseconds))  max \(duration(lock.waitMaxNanoseconds))")
        }
        let l = summary.lifecycle
        lines.append("  clients      started \(l.clientsStarted)  closed \(l.clientsClosed)  peak/host \(l.peakClientsPerHost)  closed-in-use \(l.clientsClosedWhileInUse)  events-after-close \(l.eventsAfterClose)  double-releases \(l.doubleReleases)  blocked-by-other-host \(l.acquiresBlockedByOtherHost)")
        let k = summary.leaks
        lines.append("  after drain  entries \(k.cacheEntriesAfterDrain)  clients \(k.clientsAfterDrain)  leases \(k.leasesOutstanding)  tasks \(k.tasksOutstanding)  fds \(signed(k.fdGrowth))  bytes \(k.allocatedBytesGrowth.map(signed) ?? "n/a")")
        for invariant in summary.invariants where invariant.violations > 0 {
            let mark = invariant.gating ? "✗" : "·"
            lines.append("  \(mark) invariant \(invariant.name): \(invariant.violations) violation(s)" + (invariant.example.map { ", e.g. \($0)" } ?? ""))
        }
        for threshold in summary.thresholds {
            let mark = threshold.ok ? "✓" : "✗"
            let observed = threshold.observedText.map { " (observed \($0))" } ?? ""
            lines.append("  \(mark) \(threshold.expression)\(observed)" + (threshold.ok ? "" : threshold.message.map { ": \($0)" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    /// `2.06M of 10M (20.6 %)`: achieved of intended, compact above a million, the share rounded down.
    static func offered(_ achieved: Int, of intended: Int, _ fraction: Double) -> String {
        "\(NumberText.count(UInt64(max(achieved, 0)))) of \(NumberText.count(UInt64(max(intended, 0)))) (\(NumberText.percentDown(fraction)))"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func signed(_ value: Int) -> String { value > 0 ? "+\(value)" : "\(value)" }

    /// A number without a needless fraction (`7`, `0.25`).
    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// A duration in the largest unit that keeps it readable (`812ns`, `3.4µs`, `51ms`, `2.03s`).
    public static func duration(_ nanoseconds: Int64) -> String {
        let value = Double(nanoseconds)
        switch nanoseconds {
        case ..<1_000: return "\(nanoseconds)ns"
        case ..<1_000_000: return "\(round(value / 1e3))µs"
        case ..<1_000_000_000: return "\(round(value / 1e6))ms"
        default: return "\(round(value / 1e9))s"
        }
    }

    static func round(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(Double(Int((value * 10).rounded())) / 10)
    }
}
