import FeatureFlags
import FlagServer
import Foundation
import Probes
import StormReport

/// Runs a plan (and its sweep) and assembles the plan report: every point simulated under every
/// policy, checked against its closed form where one exists, judged against the limits, and each
/// policy's breaking point found along the first swept parameter.
package enum PlanRunner {
    /// The most parameters one plan run may sweep.
    package static let maximumSweeps = 2

    /// Runs `plan` at every combination of `sweeps` (at most two; `policy` may be one of them),
    /// `parallelism` simulations at a time, and reports each finished point to `progress`.
    ///
    /// With `refine` > 0, each policy's bracket along the first swept parameter (the two neighbouring
    /// values where the plan changes from holding to breaking, either way) is then bisected up to
    /// `refine` times (for counts, until the two are adjacent), each midpoint one more simulated
    /// point. Bisection assumes one change of state within the bracket.
    ///
    /// - Throws: ``PlanSweepError`` when a swept value makes the plan invalid (before anything runs).
    package static func run(_ plan: PlanSpec, file: String?, sweeps: [PlanSweep], environment: EnvironmentInfo,
                            parallelism: Int = ProcessInfo.processInfo.activeProcessorCount, refine: Int = 0,
                            progress: (@Sendable (PlanPoint, _ finished: Int, _ total: Int) -> Void)? = nil) async throws -> PlanReport {
        let started = MonotonicTime.preciseNanoseconds()
        let jobs = points(of: plan, sweeps: sweeps)
        // A swept value can make a valid plan invalid (a fleet past the supported size): refuse before running.
        for job in jobs {
            let problems = job.plan.validate()
            guard problems.isEmpty else {
                throw PlanSweepError(argument: job.parameters.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                                     message: "the plan cannot run with this value: " + problems.map(\.description).joined(separator: "; "))
            }
        }
        var runs = try await execute(jobs, parallelism: parallelism, alreadyRun: 0, progress: progress)
        if let primary = sweeps.firstIndex(where: { $0.key != .policy }) {
            for _ in 0..<max(refine, 0) {
                let midpoints = bisections(runs, primary: primary, key: sweeps[primary].key)
                guard !midpoints.isEmpty else { break }
                runs += try await execute(midpoints, parallelism: parallelism, alreadyRun: runs.count, progress: progress)
            }
        }
        let points = ordered(runs.map(\.point), primary: sweeps.firstIndex { $0.key != .policy })
        let axes = sweeps.map { sweep in
            PlanSweepAxis(key: sweep.key.rawValue, values: sweep.values.map { PlanSweep.parameter(key: sweep.key, value: $0).value })
        }
        return PlanReport(plan: info(plan, file: file), environment: environment, sweep: axes, points: points,
                          breakingPoints: breakingPoints(points, sweeps: sweeps),
                          wallSeconds: Double(MonotonicTime.preciseNanoseconds() &- started) / 1e9)
    }

    /// Simulates `jobs`, `parallelism` at a time; the results in the jobs' order.
    static func execute(_ jobs: [Job], parallelism: Int, alreadyRun: Int,
                        progress: (@Sendable (PlanPoint, _ finished: Int, _ total: Int) -> Void)?) async throws -> [(job: Job, point: PlanPoint)] {
        var results = [PlanPoint?](repeating: nil, count: jobs.count)
        var finished = 0
        try await withThrowingTaskGroup(of: (Int, PlanPoint).self) { group in
            var next = 0
            func launch() {
                let index = next
                let job = jobs[index]
                next += 1
                group.addTask { (index, try await runPoint(job.plan, policy: job.policy, parameters: job.parameters)) }
            }
            while next < min(max(parallelism, 1), jobs.count) { launch() }
            while let (index, point) = try await group.next() {
                results[index] = point
                finished += 1
                progress?(point, alreadyRun + finished, alreadyRun + jobs.count)
                if next < jobs.count { launch() }
            }
        }
        return zip(jobs, results).map { ($0, $1!) }
    }

    /// The midpoints of every policy's bracket along the primary sweep that can still be narrowed.
    static func bisections(_ runs: [(job: Job, point: PlanPoint)], primary: Int, key: PlanSweep.Key) -> [Job] {
        var groups: [String: [(job: Job, point: PlanPoint)]] = [:]
        var order: [String] = []
        for run in runs {
            let others = run.point.parameters.enumerated().filter { $0.offset != primary }.map(\.element.value)
            let name = ([run.point.policy] + others).joined(separator: "\u{1}")
            if groups[name] == nil { order.append(name) }
            groups[name, default: []].append(run)
        }
        var jobs: [Job] = []
        for name in order {
            let sorted = groups[name]!.sorted { ($0.point.parameters[primary].numeric ?? 0) < ($1.point.parameters[primary].numeric ?? 0) }
            // The first change of state along the values, either way (a longer TTL breaks less, not more).
            guard let first = sorted.first,
                  let change = sorted.firstIndex(where: { $0.point.breaks != first.point.breaks }) else { continue }
            let low = sorted[change - 1].point.parameters[primary].numeric ?? 0
            let high = sorted[change].point.parameters[primary].numeric ?? 0
            let middle: Double
            switch key {
            case .hosts, .processes:
                guard high - low > 1 else { continue }
                middle = ((low + high) / 2).rounded(.down)
            case .ttl, .lifetime:
                guard high - low > 0.002 else { continue }
                middle = (low + high) / 2
            case .rate:
                guard high > low * 1.0001 else { continue }
                middle = (low + high) / 2
            case .policy:
                continue
            }
            var job = sorted[change].job
            let value = PlanSweep.value(middle, key: key)
            job.plan = PlanSweep.apply(value, key: key, to: job.plan)
            job.parameters[primary] = PlanSweep.parameter(key: key, value: value)
            jobs.append(job)
        }
        return jobs
    }

    /// `points` grouped as they first appear (policy, then the other swept values), each group
    /// ordered along the primary sweep (refined points fall between the swept ones).
    static func ordered(_ points: [PlanPoint], primary: Int?) -> [PlanPoint] {
        guard let primary else { return points }
        var groups: [[PlanPoint]] = []
        var index: [String: Int] = [:]
        for point in points {
            let others = point.parameters.enumerated().filter { $0.offset != primary }.map(\.element.value)
            let name = ([point.policy] + others).joined(separator: "\u{1}")
            if let at = index[name] {
                groups[at].append(point)
            } else {
                index[name] = groups.count
                groups.append([point])
            }
        }
        return groups.flatMap { group in
            group.enumerated().sorted {
                ($0.element.parameters[primary].numeric ?? 0, $0.offset) < ($1.element.parameters[primary].numeric ?? 0, $1.offset)
            }.map(\.element)
        }
    }

    /// One simulation to run.
    struct Job {
        var plan: PlanSpec
        var policy: FlagCachePolicy
        var parameters: [PlanParameter]
    }

    /// Every (policy, swept values) combination: by policy, then by the second swept value, then along the first.
    ///
    /// A swept `policy` replaces the plan's; each point's parameters are listed in the order the sweeps were given.
    static func points(of plan: PlanSpec, sweeps: [PlanSweep]) -> [Job] {
        let policySweep = sweeps.firstIndex { $0.key == .policy }
        let policies: [FlagCachePolicy] = policySweep.map { index in
            sweeps[index].values.compactMap { if case .policy(let policy) = $0 { policy } else { nil } }
        } ?? plan.policies
        let others = sweeps.indices.filter { $0 != policySweep }
        // Combinations of the non-policy sweeps, the first one varying fastest.
        var combinations: [[Int: PlanSweep.Value]] = [[:]]
        for axis in others {
            combinations = sweeps[axis].values.flatMap { value in combinations.map { $0.merging([axis: value]) { $1 } } }
        }
        var jobs: [Job] = []
        for policy in policies {
            for combination in combinations {
                var variant = plan
                var parameters: [PlanParameter] = []
                for axis in sweeps.indices {
                    let value = axis == policySweep ? .policy(policy) : combination[axis]!
                    variant = PlanSweep.apply(value, key: sweeps[axis].key, to: variant)
                    parameters.append(PlanSweep.parameter(key: sweeps[axis].key, value: value))
                }
                jobs.append(Job(plan: variant, policy: policy, parameters: parameters))
            }
        }
        return jobs
    }

    /// Simulates one point and judges it.
    static func runPoint(_ plan: PlanSpec, policy: FlagCachePolicy, parameters: [PlanParameter]) async throws -> PlanPoint {
        let started = MonotonicTime.preciseNanoseconds()
        let outcome = try await FleetSimulation.run(plan, policy: policy)
        var analytic: PlanAnalytic?
        var unavailable = PlanClosedForm.unavailableReason(plan, policy: policy)
        if unavailable == nil {
            if outcome.refusedIncludingWarmup > 0 {
                unavailable = "\(outcome.refusedIncludingWarmup) requests were refused (warm-up included), and the closed form assumes every one is answered"
            } else {
                let (expected, model) = PlanClosedForm.expectedRequests(plan, policy: policy)
                analytic = PlanClosedForm.check(expected: expected, simulated: outcome.requests.flagFetches, model: model)
            }
        }
        let reason = breakReason(outcome, margin: plan.headroomMargin)
        return PlanPoint(policy: policy.rawValue, parameters: parameters, connections: outcome.connections,
                         requests: outcome.requests, global: outcome.global, perHost: outcome.perHost,
                         answers: outcome.answers, analytic: analytic, analyticUnavailable: analytic == nil ? unavailable : nil,
                         breaks: reason != nil, breakReason: reason, virtualSeconds: outcome.virtualSeconds,
                         wallSeconds: Double(MonotonicTime.preciseNanoseconds() &- started) / 1e9, timeline: outcome.timeline)
    }

    /// What breaks the plan at this point: any 429, or a limit's headroom under the margin.
    static func breakReason(_ outcome: FleetSimulation.Outcome, margin: Double) -> String? {
        var reasons: [String] = []
        if outcome.requests.rateLimited > 0 {
            reasons.append("\(outcome.requests.rateLimited) requests answered 429")
        }
        for (name, load) in [("per-host", outcome.perHost), ("global", outcome.global)] {
            // A hair of slack: 1 − 24/30 is 0.19999999999999996 in floating point, not under a 20 % margin.
            guard let headroom = load.headroom, headroom < margin - 1e-9 else { continue }
            let window = Duration.nanoseconds(load.windowNanoseconds).planSpelling
            let limit = load.limitPerSecond.map { Int(($0 * Double(load.windowNanoseconds) / 1e9).rounded()) } ?? 0
            reasons.append("\(name) headroom \(percent(headroom)) under the \(percent(margin)) margin (the busiest \(window) had \(load.peakRequests) requests against a limit of \(limit))")
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return abs(value) >= 100 ? "\(Int(value.rounded())) %" : "\(PlanText.number((value * 10).rounded() / 10)) %"
    }

    /// Per policy (and second swept value), where the plan changes from holding to breaking along the first
    /// non-policy sweep: the value next to the change that holds (`lastFine`) and the one that breaks
    /// (`firstBreaking`), whichever way the values run (a fleet breaks as it grows, a TTL as it shrinks).
    static func breakingPoints(_ points: [PlanPoint], sweeps: [PlanSweep]) -> [PlanBreakingPoint] {
        guard let primary = sweeps.firstIndex(where: { $0.key != .policy }) else { return [] }
        let key = sweeps[primary].key.rawValue
        let other = sweeps.indices.first { $0 != primary && sweeps[$0].key != .policy }
        var groups: [(policy: String, fixed: PlanParameter?, points: [PlanPoint])] = []
        for point in points {
            let fixed = other.map { point.parameters[$0] }
            if let index = groups.firstIndex(where: { $0.policy == point.policy && $0.fixed == fixed }) {
                groups[index].points.append(point)
            } else {
                groups.append((point.policy, fixed, [point]))
            }
        }
        return groups.map { group in
            // Along the values (the points are in order), the first change of state: from holding to
            // breaking as a fleet grows, or from breaking to holding as a TTL grows.
            let points = group.points
            let change = points.firstIndex { $0.breaks != points[0].breaks }
            let lastFine: PlanPoint?
            let breaking: PlanPoint?
            switch (points[0].breaks, change) {
            case (false, nil): (lastFine, breaking) = (points.last, nil)
            case (true, nil): (lastFine, breaking) = (nil, points[0])
            case (false, let index?): (lastFine, breaking) = (points[index - 1], points[index])
            case (true, let index?): (lastFine, breaking) = (points[index], points[index - 1])
            }
            return PlanBreakingPoint(policy: group.policy, key: key, fixed: group.fixed,
                                     lastFine: lastFine?.parameters[primary].value,
                                     firstBreaking: breaking?.parameters[primary].value, reason: breaking?.breakReason)
        }
    }

    /// The plan's parameters as the report states them.
    static func info(_ plan: PlanSpec, file: String?) -> PlanInfo {
        let skew: String
        switch plan.hosts.skew {
        case .uniform: skew = "uniform"
        case .zipf(let exponent): skew = "zipf \(PlanText.number(exponent))"
        }
        var arrivals = plan.arrivals.process.rawValue
        if let cycle = plan.arrivals.dailyCycle {
            arrivals += ", daily cycle: trough \(PlanText.number(cycle.trough)) of the peak, peak at \(cycle.peakAt.planSpelling)"
        }
        let lifetime: String
        switch plan.lifetime {
        case .fixed(let value): lifetime = "fixed \(value.planSpelling)"
        case .exponential(let mean): lifetime = "exponential \(mean.planSpelling)"
        case .uniform(let low, let high):
            lifetime = "uniform \(low.planSpelling)..\(high.planSpelling)"
        }
        func limit(_ limit: FlagServerRateLimit?) -> String? {
            limit.map { "\($0.requests)/\($0.window.planSpelling) burst \($0.burst)" }
        }
        var outages = plan.server.outages.map { outage in
            var text = "\(outage.status) from \(outage.window.start.planSpelling) until \(outage.window.end.planSpelling)"
            if let retryAfter = outage.retryAfterSeconds { text += " (Retry-After \(retryAfter) s)" }
            if let hosts = outage.hosts { text += " for \(hosts.sorted().joined(separator: ", "))" }
            return text
        }
        outages += plan.server.flapping.map { "flapping \($0.status): up \($0.up.planSpelling), down \($0.down.planSpelling)" }
        outages += plan.server.faults.map { "fault \(FlagServerCommandLine.spelling(of: $0))" }
        let profile = plan.server.defaultHost
        let latency: String
        switch plan.server.latency {
        case .fixed(let value): latency = value.planSpelling
        default: latency = "\(plan.server.latency)"
        }
        return PlanInfo(name: plan.name, description: plan.description, file: file, seed: plan.seed,
                        durationNanoseconds: plan.duration.flagNanoseconds, hosts: plan.hosts.count, skew: skew,
                        processes: plan.processes, arrivalRatePerSecond: plan.arrivals.ratePerSecond,
                        arrivals: arrivals, lifetime: lifetime, ttlNanoseconds: plan.cache.ttl.flagNanoseconds,
                        advertisedTTLSeconds: profile.ttlSpelling == .none ? nil : profile.ttlSeconds,
                        latency: latency, perHostLimit: limit(plan.server.rateLimits.perHost),
                        globalLimit: limit(plan.server.rateLimits.global), outages: outages,
                        deploys: plan.deploys.map { deploy in
                            "at \(deploy.at.planSpelling), "
                                + (deploy.spread > .zero ? "spread over \(deploy.spread.planSpelling)" : "all at once")
                        },
                        headroomMargin: plan.headroomMargin, warmupNanoseconds: plan.warmup.flagNanoseconds,
                        telemetry: plan.telemetry.map {
                            "export every \($0.exportInterval.planSpelling)\($0.flushOnClose ? ", flush on close" : "")"
                        })
    }
}
