import Foundation
import StormReport

/// The wording the plan report's renderers share: rates with their unit, headroom, the analytic
/// cross-check, breaking points and how far apart two policies break.
///
/// Why one place: the Markdown, HTML and console forms must say the same thing in the same
/// words (a flag raised in one and not another would mislead), and every figure must carry its
/// unit and few enough digits to read at 2 a.m. Like ``NumberText`` it never consults a locale.
enum PlanText {
    /// What a point whose closed form and simulation disagree is flagged with.
    static let disagreement = "DISAGREES — model or engine bug"

    /// A number with about three significant digits and thousands separators (`0.0123`, `4.5`, `61.2`, `12,345`).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return NumberText.fixed(value, 0) }
        let magnitude = abs(value)
        switch magnitude {
        case 0: return "0"
        case 9e18...: return NumberText.compact(value)
        case 999.5...: return NumberText.grouped(Int(value.rounded()))
        case 99.95...: return NumberText.fixed(value, 0)
        case 9.995...: return NumberText.fixed(value, 1)
        case 1...: return NumberText.fixed(value, 2)
        case 0.0001...: return NumberText.fixed(value, 2 - Int(log10(magnitude).rounded(.down)))
        default: return value < 0 ? "-<0.0001" : "<0.0001"
        }
    }

    /// A request rate: `1.2 req/s`.
    static func rate(_ value: Double) -> String { number(value) + " req/s" }

    /// A count of whole things with thousands separators (`12,345`).
    static func count(_ value: Int) -> String { NumberText.grouped(value) }

    /// A fraction as a percentage, one decimal below 10 % (`0.9 %`, `35 %`, `-120 %`).
    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return NumberText.fixed(value, abs(value) < 9.95 ? 1 : 0) + " %"
    }

    /// A fraction as a signed percentage (`+0.9 %`, `-22 %`).
    static func signedPercent(_ fraction: Double) -> String {
        (fraction * 100 >= 0.05 ? "+" : "") + percent(fraction)
    }

    /// The request total, with its telemetry exports when there are any (`1,234 (200 exports)`).
    static func requests(_ requests: PlanRequests) -> String {
        guard requests.telemetryExports > 0 else { return count(requests.total) }
        return "\(count(requests.total)) (\(count(requests.telemetryExports)) exports)"
    }

    /// A duration in the plan files' spelling: `24h`, `1.5h`, `15m`, `30s`, `2.5s`, `250ms`.
    static func duration(nanoseconds: Int64) -> String {
        let seconds = Double(nanoseconds) / 1e9
        switch seconds {
        case 3600...: return NumberText.fixed(seconds / 3600, 2) + "h"
        case 60...: return NumberText.fixed(seconds / 60, 2) + "m"
        case 1...: return NumberText.fixed(seconds, seconds < 10 ? 2 : 1) + "s"
        default: return ConsoleSummary.duration(nanoseconds)
        }
    }

    /// A moment from the start of the run in hours and minutes (`14h05m`, `24h`), or a plain duration under an hour.
    static func offset(nanoseconds: Int64) -> String {
        guard nanoseconds >= 3_600_000_000_000 else { return duration(nanoseconds: nanoseconds) }
        let minutes = Int((Double(nanoseconds) / 60e9).rounded(.down))
        let (hours, minute) = minutes.quotientAndRemainder(dividingBy: 60)
        return "\(hours)h" + (minute == 0 ? "" : (minute < 10 ? "0" : "") + "\(minute)m")
    }

    /// A count of `noun`s, singular for one: `1 request`, `27 requests`.
    static func count(_ value: Int, _ noun: String) -> String {
        count(value) + " " + noun + (value == 1 ? "" : "s")
    }

    /// Seconds as a duration (`12.3s`), for wall-clock and virtual times.
    static func duration(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 9e9 else { return NumberText.fixed(seconds, 0) + "s" }
        return duration(nanoseconds: Int64((seconds * 1e9).rounded()))
    }

    /// What a swept parameter means, for sentences: `processes` is the fleet size.
    static func name(of key: String) -> String {
        switch key {
        case "processes": "fleet size"
        case "hosts": "host count"
        case "rate": "arrival rate"
        case "ttl": "TTL"
        case "lifetime": "connection lifetime"
        default: key
        }
    }

    /// The swept values of `point` as `processes 100, ttl 15m` (empty without a sweep).
    static func parameters(_ point: PlanPoint) -> String {
        point.otherParameters(excluding: nil)
    }

    /// Mean, 99th percentile and peak per second, with the busiest host when there is one.
    static func load(_ load: PlanLoad) -> String {
        "mean \(number(load.meanPerSecond)), p99 \(number(load.p99PerSecond)), peak \(rate(load.peakPerSecond))"
            + (load.busiestHost.map { " (\($0))" } ?? "")
    }

    /// The limit's rate and burst (`1 req/s (burst 60)`), or `nil` when unlimited.
    static func limit(_ load: PlanLoad) -> String? {
        load.limitPerSecond.map { rate($0) + (load.limitBurst.map { " (burst \(count($0)))" } ?? "") }
    }

    /// The headroom left under the limit, flagged when it is under the plan's margin or gone; `nil` when unlimited.
    ///
    /// Over the limit it says by how much: `over the limit by 50 %`, or `over, at 3.1× the limit` from twice the limit on.
    static func headroom(_ load: PlanLoad, margin: Double) -> String? {
        guard let headroom = load.headroom else { return nil }
        if headroom < 0 {  // far over: a ratio reads better than thousands of percent
            return 1 - headroom >= 2 ? "over, at \(times(1 - headroom)) the limit" : "over the limit by \(percent(-headroom))"
        }
        if headroom < margin { return "\(percent(headroom)) headroom, under the \(percent(margin)) margin" }
        return "\(percent(headroom)) headroom"
    }

    /// The limit and the headroom under it in one phrase (`1 req/s (burst 60): 35 % headroom`), or `no limit`.
    static func limitAndHeadroom(_ load: PlanLoad, margin: Double) -> String {
        guard let limit = limit(load) else { return "no limit" }
        return limit + (headroom(load, margin: margin).map { ": " + $0 } ?? "")
    }

    /// Whether the headroom under a limit is under the margin or gone.
    static func isTight(_ load: PlanLoad, margin: Double) -> Bool {
        (load.headroom ?? 1) < margin
    }

    /// The answers that went wrong: `wrong 3, stale 0, errors 0 (3 during throttling)`.
    static func answers(_ answers: PlanAnswers) -> String {
        "wrong \(count(answers.wrong)), stale \(count(answers.stale)), errors \(count(answers.errors))"
            + (answers.duringThrottling > 0 ? " (\(count(answers.duringThrottling)) during throttling)" : "")
    }

    /// The cross-check's verdict: `agrees`, ``disagreement``, or `n/a` without a closed form.
    static func analyticVerdict(_ point: PlanPoint) -> String {
        guard let analytic = point.analytic else { return "n/a" }
        return analytic.agrees ? "agrees" : disagreement
    }

    /// The cross-check's figures (`expected 12,300, simulated 12,410 requests (+0.9 %, tolerance 5 %)`), or why there is none.
    static func analyticDetail(_ point: PlanPoint) -> String {
        guard let analytic = point.analytic else { return point.analyticUnavailable ?? "no closed form for this point" }
        return "expected \(count(Int(analytic.expectedRequests.rounded()))), simulated \(count(analytic.simulatedRequests)) flag fetches "
            + "(\(signedPercent(analytic.difference)), tolerance \(percent(analytic.tolerance)))"
    }

    /// The verdict and figures together, for plain text.
    static func analytic(_ point: PlanPoint) -> String {
        analyticVerdict(point) + ": " + analyticDetail(point)
    }

    /// The closed forms the points were checked against, each once, in order.
    static func models(_ report: PlanReport) -> [String] {
        var models: [String] = []
        for model in report.points.compactMap(\.analytic?.model) where !models.contains(model) { models.append(model) }
        return models
    }

    /// A point's break in words: `breaks: <reason>` or `holds`.
    static func breaks(_ point: PlanPoint) -> String {
        point.breaks ? "breaks: " + (point.breakReason ?? "reason not recorded") : "holds"
    }

    /// Where a row breaks: `processes 10 → 100`, `broke at the first value (processes 10)`, or `never broke within the sweep (up to processes 4000)`.
    static func breakingPoint(_ row: PlanBreakingPoint, in report: PlanReport) -> String {
        switch (row.lastFine, row.firstBreaking) {
        case (let fine?, let breaking?): return "\(row.key) \(fine) → \(breaking)"
        case (nil, let breaking?): return "broke at the first value (\(row.key) \(breaking))"
        case (let fine?, nil): return "never broke within the sweep (up to \(row.key) \(fine))"
        case (nil, nil): return "never broke within the sweep" + (report.lastSweptValue(of: row.key).map { " (up to \(row.key) \($0))" } ?? "")
        }
    }

    /// The swept parameter a row holds fixed, as `ttl 15m`, or `nil`.
    static func fixed(_ row: PlanBreakingPoint) -> String? {
        row.fixed.map { "\($0.key) \($0.value)" }
    }

    /// How far apart the policies break, per swept parameter and fixed value: `recommended breaks at 40× the fleet size seed does (processes 4000 vs 100)`.
    ///
    /// Only numeric values give a ratio (looked up in the points' parameters); a policy that never
    /// broke is compared by the last value it held at, which is a lower bound.
    static func comparisons(_ report: PlanReport) -> [String] {
        var groups: [[PlanBreakingPoint]] = []
        for row in report.breakingPoints {
            if let index = groups.firstIndex(where: { $0[0].key == row.key && $0[0].fixed == row.fixed }) {
                groups[index].append(row)
            } else {
                groups.append([row])
            }
        }
        var sentences: [String] = []
        for group in groups {
            let key = group[0].key, what = name(of: key)
            let prefix = fixed(group[0]).map { "with \($0): " } ?? ""
            let broken = group.compactMap { row -> (policy: String, value: String, number: Double)? in
                guard let value = row.firstBreaking, let number = report.numericValue(of: key, value), number > 0 else { return nil }
                return (row.policy, value, number)
            }.enumerated().sorted { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }.map(\.element)
            guard let first = broken.first else { continue }
            for other in broken.dropFirst() {
                let ratio = other.number / first.number
                if ratio < 1 + 1e-9 {
                    sentences.append("\(prefix)\(other.policy) and \(first.policy) both break at \(key) \(first.value)")
                } else {
                    sentences.append("\(prefix)\(other.policy) breaks at \(times(ratio)) the \(what) \(first.policy) does (\(key) \(other.value) vs \(first.value))")
                }
            }
            for row in group where row.firstBreaking == nil {
                guard let fine = row.lastFine ?? report.lastSweptValue(of: key), let number = report.numericValue(of: key, fine),
                      number / first.number >= 1 + 1e-9 else { continue }
                sentences.append("\(prefix)\(row.policy) never broke within the sweep: it held at \(times(number / first.number)) the \(what) at which \(first.policy) breaks (\(key) \(fine) vs \(first.value))")
            }
        }
        return sentences
    }

    /// A ratio as `40×` or `2.5×`.
    static func times(_ ratio: Double) -> String {
        NumberText.fixed(ratio, ratio < 9.95 ? 1 : 0) + "×"
    }

    /// The plan's parameters as (name, value) rows, for the parameters table.
    static func parameterRows(_ report: PlanReport) -> [(String, String)] {
        let plan = report.plan, environment = report.environment
        let advertised = plan.advertisedTTLSeconds.flatMap { $0 > 0 ? $0 : nil }
        var rows: [(String, String)] = [
            ("fleet", "\(count(plan.hosts)) hosts (\(plan.skew)) × \(count(plan.processes)) processes"),
            ("arrivals", "\(number(plan.arrivalRatePerSecond)) connections/s per host and process"
                + (plan.arrivalRatePerSecond > 0 && plan.arrivalRatePerSecond < 1 ? ", one every \(duration(seconds: 1 / plan.arrivalRatePerSecond))" : "")
                + " (\(plan.arrivals))"),
            ("connection lifetime", plan.lifetime),
            ("cache TTL", duration(nanoseconds: plan.ttlNanoseconds)
                + (advertised.map { ", the server advertises \(duration(seconds: Double($0)))" } ?? ", the server advertises none")),
            ("server latency", plan.latency),
            ("per-host limit", plan.perHostLimit ?? "none"),
            ("global limit", plan.globalLimit ?? "none"),
            ("outages", plan.outages.isEmpty ? "none" : plan.outages.joined(separator: "; ")),
            ("deploys", plan.deploys.isEmpty ? "none" : plan.deploys.joined(separator: "; ")),
            ("telemetry", plan.telemetry.map { "each live client exports \($0), against the same limits" } ?? "not modelled"),
            ("simulated", "\(duration(nanoseconds: plan.durationNanoseconds)) of arrivals, seed \(plan.seed)"
                + (plan.warmupNanoseconds > 0
                    ? "; the first \(duration(nanoseconds: plan.warmupNanoseconds)) are a rolling start, not measured" : "")),
            ("breaks when", "any 429, or under \(percent(plan.headroomMargin)) headroom on a limit"),
        ]
        if !report.sweep.isEmpty {
            rows.append(("sweep", report.sweep.map { "\($0.key): \($0.values.joined(separator: ", "))" }.joined(separator: "; ")))
        }
        if let file = plan.file { rows.append(("plan file", file)) }
        var machine = [environment.toolchain, "\(environment.cores) cores", environment.allocator]
        if let build = environment.build { machine.append("\(build) build") }
        machine.append("started \(environment.startedAt)")
        rows.append(("environment", machine.joined(separator: ", ")))
        rows.append(("wall time", duration(seconds: report.wallSeconds)))
        return rows
    }

    /// The points whose closed form disagrees, as `seed, processes 1000`.
    static func disagreeing(_ report: PlanReport) -> [PlanPoint] {
        report.points.filter { $0.analytic?.agrees == false }
    }

    /// A point's policy and swept values: `seed, processes 100`.
    static func title(_ point: PlanPoint) -> String {
        let parameters = parameters(point)
        return parameters.isEmpty ? point.policy : point.policy + ", " + parameters
    }
}
