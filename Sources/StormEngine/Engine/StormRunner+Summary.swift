import FeatureFlags
import FlagServer
import Foundation
import StormReport

extension StormRunner {
    /// Turns what the probes, the server's journal and the core saw into the run's summary (computed once; reporters only format).
    func summarize(environment: EnvironmentInfo, duration: UInt64, finishedAt: UInt64, fdGrowth: Int,
                   allocatedBytesGrowth: Int?) -> RunSummary {
        let tally = stripes.total
        let counts = tally.counts
        let model = endpoint.model
        let statistics = model.statistics()
        let journal = model.journal()
        let cacheStatistics = cache.statistics
        let managerStatistics = manager.statistics
        let lifecycle = ledger.snapshot

        // Fetches: the server's journal is the ground truth.
        var minimumByHost: [String: Int] = [:]
        for host in hosts where host.minimumFetches > 0 { minimumByHost[host.name, default: 0] += host.minimumFetches }
        let minimum = minimumByHost.values.reduce(0, +)
        let failed = statistics.requests - statistics[.ok] - statistics[.slowBody]
        let byHost = statistics.hosts
            .map { HostFetches(host: $0.key, total: $0.value.requests, minimum: minimumByHost[$0.key] ?? 0) }
            .sorted { ($0.total, $1.host) > ($1.total, $0.host) }
            .prefix(20)
        let analysis = JournalAnalysis(journal: journal, configuration: settings.server, start: model.start,
                                       hangBound: settings.fetchTimeout * 0.9)
        let fetches = FetchCounts(total: statistics.requests, minimum: minimum, failed: failed,
                                  rateLimited: statistics[.rateLimited], beforeRetryAfter: analysis.beforeRetryAfter,
                                  peakPerHostPerMinute: statistics.peakRequestsPerMinutePerHost, byHost: Array(byHost))

        let answers = AnswerCounts(total: counts.answers, wrong: counts.wrong, errors: counts.errors,
                                   cancelled: counts.cancelled, waitedOnRefresh: counts.waitedOnRefresh, stale: counts.stale)

        var latency: [String: LatencyEntry] = [:]
        if settings.recordLatency {
            latency["open"] = tally.open.entry
            latency["isEnabled"] = tally.isEnabled.entry
            latency["close"] = tally.close.entry
            latency["clientAcquire"] = tally.clientAcquire.entry
            latency["fetch"] = fetcher.fetchLatency.entry
        }

        var contention: [String: LockContention] = [:]
        for lock in cacheStatistics.locks + managerStatistics.locks {
            contention[lock.name] = LockContention(acquisitions: lock.acquisitions, contended: lock.contended,
                                                   wait: lock.wait, hold: lock.hold)
        }

        let peakPerHost = lifecycle.hosts.values.map(\.peakLive).max() ?? 0
        let lifecycleCounts = LifecycleCounts(
            clientsStarted: lifecycle.started, clientsClosed: lifecycle.closed, peakClientsPerHost: peakPerHost,
            clientsClosedWhileInUse: lifecycle.closedWhileInUse,
            eventsAfterClose: ledger.eventsAfterClose.load(ordering: .relaxed),
            doubleReleases: Int(cacheStatistics.doubleReleases + managerStatistics.doubleReleases),
            acquiresBlockedByOtherHost: lifecycle.blockedByOtherHost)

        let leasesOutstanding = max(cacheStatistics.outstandingLeases, 0) + max(managerStatistics.outstandingLeases, 0)
        let leaks = LeakFigures(cacheEntriesAfterDrain: cacheStatistics.entries,
                                clientsAfterDrain: max(managerStatistics.liveClients, ledger.liveClients),
                                leasesOutstanding: leasesOutstanding,
                                tasksOutstanding: cacheStatistics.backgroundTasksOutstanding,
                                allocatedBytesGrowth: allocatedBytesGrowth, fdGrowth: fdGrowth)

        let gating = settings.policy == .recommended
        let harness = harnessDelivery(counts)
        let stuck = max(peakStuckFetches.load(ordering: .relaxed), cacheStatistics.inFlightBeyondTimeout)
        let invariants = [
            InvariantResult(name: "oneFetchInFlightPerHost", violations: analysis.overlapping,
                            example: analysis.overlappingExample, gating: gating),
            InvariantResult(name: "answersMatchTruth", violations: counts.wrong, example: counts.wrongExample, gating: gating),
            InvariantResult(name: "oneLiveClientPerHost", violations: lifecycle.secondLiveClients,
                            example: lifecycle.secondLiveClientExample, gating: gating),
            InvariantResult(name: "noClientClosedWhileInUse", violations: lifecycle.closedWhileInUse,
                            example: lifecycle.closedWhileInUseExample, gating: gating),
            InvariantResult(name: "noEventsAfterClose", violations: lifecycleCounts.eventsAfterClose,
                            example: lifecycleCounts.eventsAfterClose > 0 ? "\(lifecycleCounts.eventsAfterClose) telemetry events were recorded on clients already closing" : nil,
                            gating: gating),
            InvariantResult(name: "honoursRetryAfter", violations: analysis.beforeRetryAfter,
                            example: analysis.beforeRetryAfterExample, gating: gating),
            InvariantResult(name: "noCrossHostBlocking", violations: lifecycle.blockedByOtherHost,
                            example: lifecycle.blockedExample, gating: gating),
            InvariantResult(name: "fetchStateCleared", violations: stuck,
                            example: stuck > 0 ? "\(stuck) host(s) marked as fetching for longer than twice the fetch timeout; they never refetch (W10)" : nil,
                            gating: gating),
            InvariantResult(name: "nothingLeftAfterDrain",
                            violations: leasesOutstanding + leaks.clientsAfterDrain + leaks.tasksOutstanding,
                            example: leasesOutstanding + leaks.clientsAfterDrain + leaks.tasksOutstanding > 0
                                ? "\(leasesOutstanding) lease(s), \(leaks.clientsAfterDrain) client(s), \(leaks.tasksOutstanding) task(s) left after the drain" : nil,
                            gating: gating),
            // Gating under both policies: a saturated harness's figures describe neither.
            Self.harnessKeptUp(harness),
        ]

        // Live bytes per connection at the steady-state sample (see the sampler); only with enough connections to rise above noise.
        let baseline = baselineLiveBytes.load(ordering: .relaxed)
        let sampledPeak = peakSampledConnections.load(ordering: .relaxed)
        let bytesPerConnection: Int? = baseline >= 0 && sampledPeak >= 1000
            ? max(liveBytesAtPeak.load(ordering: .relaxed) - baseline, 0) / sampledPeak : nil
        let scenario = ScenarioInfo(name: settings.name, file: settings.file, mode: settings.mode,
                                    policy: settings.policy.rawValue, seed: settings.seed, description: settings.description,
                                    shard: settings.shard?.description)
        let connections = ConnectionCounts(opened: counts.opened, closed: counts.closed,
                                           peakConcurrent: peakLive.load(ordering: .relaxed),
                                           hosts: settings.shard.map { shard in hosts.indices.count { shard.contains(host: $0) } } ?? hosts.count,
                                           lateStarts: counts.lateStarts,
                                           dropped: dropped.load(ordering: .relaxed),
                                           bytesPerConnection: bytesPerConnection)
        var summary = RunSummary(scenario: scenario, environment: environment, durationNanoseconds: Int64(duration),
                                 connections: connections, fetches: fetches, answers: answers, latency: latency,
                                 contention: contention, lifecycle: lifecycleCounts, leaks: leaks,
                                 invariants: invariants, thresholds: [], verdict: .pass,
                                 timeline: timeline(journal: journal, finishedAt: finishedAt), harness: harness)
        Self.judge(&summary, thresholds: settings.thresholds)
        return summary
    }

    /// Evaluates `thresholds` on `summary` and sets its verdict: `pass` only when every threshold and gating invariant held.
    static func judge(_ summary: inout RunSummary, thresholds: [String]) {
        let judged = summary
        summary.thresholds = thresholds.map { text in
            do {
                return try ThresholdExpression(text).evaluate(on: judged)
            } catch {
                return ThresholdResult(expression: text, ok: false, value: nil, message: "\(error)")
            }
        }
        let failedThreshold = summary.thresholds.contains { !$0.ok }
        let failedInvariant = summary.invariants.contains { $0.gating && $0.violations > 0 }
        summary.verdict = failedThreshold || failedInvariant ? .fail : .pass
    }
}
