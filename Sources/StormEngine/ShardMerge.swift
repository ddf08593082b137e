import FeatureFlags
import Foundation
import Probes
import StormReport

/// Combines the reports of `--shard 1/N` … `--shard N/N` of one scenario and
/// policy into the report of the whole fleet.
///
/// Exact where exactness is possible: counts are summed; each shard covers
/// disjoint hosts, so the fleet's `fetches.minimum` is the sum of the shards'
/// per-host minimums (recomputed, with `redundant` from it); latency and lock
/// percentiles are read from the merged histograms, never averaged; thresholds
/// are evaluated again on the merged figures and the verdict follows from them.
/// Two figures are bounds, and documented as such: `peakConcurrent` is the sum
/// of the shards' peaks (what the fleet reaches when the shards peak together),
/// and the timeline adds the shards' columns bucket by bucket from each one's start.
package enum ShardMerge {
    /// Why a set of reports cannot be merged (bad input).
    package struct Problem: Error, CustomStringConvertible {
        package var description: String
    }

    /// Merges every group of shard reports (same scenario and policy) in `reports`; reports without a
    /// shard are rejected, and so is a group with a shard missing, repeated or of another count.
    package static func mergeAll(_ reports: [RunSummary]) throws(Problem) -> [RunSummary] {
        var groups: [String: [RunSummary]] = [:]
        var order: [String] = []
        for report in reports {
            let key = "\(report.scenario.name) [\(report.scenario.policy)]"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(report)
        }
        var merged: [RunSummary] = []
        for key in order { merged.append(try merge(groups[key]!)) }
        return merged
    }

    /// Merges the shard reports of one scenario and policy.
    package static func merge(_ shards: [RunSummary]) throws(Problem) -> RunSummary {
        guard let first = shards.first else { throw Problem(description: "no reports to merge") }
        let label = "\(first.scenario.name) [\(first.scenario.policy)]"
        var parsed: [RunShard] = []
        for shard in shards {
            guard let text = shard.scenario.shard else {
                throw Problem(description: "\(label): a report without --shard cannot be merged; give only the reports of `run --shard I/N`")
            }
            do {
                parsed.append(try RunShard(parsing: text))
            } catch {
                throw Problem(description: "\(label): shard '\(text)': \(error)")
            }
            guard shard.scenario.mode == first.scenario.mode, shard.scenario.seed == first.scenario.seed else {
                throw Problem(description: "\(label): shards ran with different seeds or modes (\(first.scenario.seed) \(first.scenario.mode) and \(shard.scenario.seed) \(shard.scenario.mode)); run every shard with the same --seed")
            }
        }
        let count = parsed[0].count
        guard parsed.allSatisfy({ $0.count == count }) else {
            throw Problem(description: "\(label): shards of different counts (\(parsed.map(\.description).joined(separator: ", ")))")
        }
        let indices = parsed.map(\.index)
        let repeated = Set(indices.filter { index in indices.count { $0 == index } > 1 })
        guard repeated.isEmpty else {
            throw Problem(description: "\(label): shard(s) \(repeated.sorted().map { "\($0)/\(count)" }.joined(separator: ", ")) given twice")
        }
        let missing = (1...count).filter { !indices.contains($0) }
        guard missing.isEmpty else {
            throw Problem(description: "\(label): shard(s) \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) missing; merge needs all \(count)")
        }

        var scenario = first.scenario
        scenario.shard = nil
        var environment = first.environment
        environment.startedAt = shards.map(\.environment.startedAt).min() ?? environment.startedAt
        let peaks = shards.map(\.connections.peakConcurrent)
        let weightedBytes = shards.compactMap { shard in shard.connections.bytesPerConnection.map { ($0, shard.connections.peakConcurrent) } }
        let connections = ConnectionCounts(
            opened: sum(shards, \.connections.opened), closed: sum(shards, \.connections.closed),
            peakConcurrent: peaks.reduce(0, +), hosts: sum(shards, \.connections.hosts),
            lateStarts: sum(shards, \.connections.lateStarts), dropped: sum(shards, \.connections.dropped),
            bytesPerConnection: weightedBytes.count == shards.count && peaks.reduce(0, +) > 0
                ? weightedBytes.reduce(0) { $0 + $1.0 * $1.1 } / peaks.reduce(0, +) : nil)
        let byHost = shards.flatMap(\.fetches.byHost).sorted { ($0.total, $1.host) > ($1.total, $0.host) }
        let fetches = FetchCounts(
            total: sum(shards, \.fetches.total), minimum: sum(shards, \.fetches.minimum), failed: sum(shards, \.fetches.failed),
            rateLimited: sum(shards, \.fetches.rateLimited), beforeRetryAfter: sum(shards, \.fetches.beforeRetryAfter),
            peakPerHostPerMinute: shards.map(\.fetches.peakPerHostPerMinute).max() ?? 0,
            byHost: Array(byHost.prefix(max(first.fetches.byHost.count, 20))))
        let answers = AnswerCounts(
            total: sum(shards, \.answers.total), wrong: sum(shards, \.answers.wrong), errors: sum(shards, \.answers.errors),
            cancelled: sum(shards, \.answers.cancelled), waitedOnRefresh: sum(shards, \.answers.waitedOnRefresh),
            stale: sum(shards, \.answers.stale))

        var latency: [String: LatencyEntry] = [:]
        for operation in Set(shards.flatMap(\.latency.keys)).sorted() {
            var recorder = LatencyRecorder()
            for shard in shards {
                guard let entry = shard.latency[operation] else { continue }
                do {
                    recorder.merge(try LatencyRecorder(decoding: entry.histogram))
                } catch {
                    throw Problem(description: "\(label) shard \(shard.scenario.shard ?? "?"): latency.\(operation).histogram: \(error)")
                }
            }
            latency[operation] = OperationLatency(recorder: recorder).entry
        }

        var contention: [String: LockContention] = [:]
        for lock in Set(shards.flatMap(\.contention.keys)).sorted() {
            var wait = DurationHistogram()
            var hold = DurationHistogram()
            var acquisitions: UInt64 = 0
            var contended: UInt64 = 0
            for shard in shards {
                guard let entry = shard.contention[lock] else { continue }
                guard let waitBuckets = entry.wait, let holdBuckets = entry.hold else {
                    throw Problem(description: "\(label) shard \(shard.scenario.shard ?? "?"): contention.\(lock) has no histograms (a report from an older flagstorm); re-run the shard")
                }
                do {
                    wait.merge(try DurationHistogram(waitBuckets))
                    hold.merge(try DurationHistogram(holdBuckets))
                } catch {
                    throw Problem(description: "\(label) shard \(shard.scenario.shard ?? "?"): contention.\(lock): malformed histogram (\(error))")
                }
                acquisitions += entry.acquisitions
                contended += entry.contended
            }
            contention[lock] = LockContention(acquisitions: acquisitions, contended: contended, wait: wait, hold: hold)
        }

        let lifecycle = LifecycleCounts(
            clientsStarted: sum(shards, \.lifecycle.clientsStarted), clientsClosed: sum(shards, \.lifecycle.clientsClosed),
            peakClientsPerHost: shards.map(\.lifecycle.peakClientsPerHost).max() ?? 0,
            clientsClosedWhileInUse: sum(shards, \.lifecycle.clientsClosedWhileInUse),
            eventsAfterClose: sum(shards, \.lifecycle.eventsAfterClose), doubleReleases: sum(shards, \.lifecycle.doubleReleases),
            acquiresBlockedByOtherHost: sum(shards, \.lifecycle.acquiresBlockedByOtherHost))
        let growths = shards.compactMap(\.leaks.allocatedBytesGrowth)
        let leaks = LeakFigures(
            cacheEntriesAfterDrain: sum(shards, \.leaks.cacheEntriesAfterDrain), clientsAfterDrain: sum(shards, \.leaks.clientsAfterDrain),
            leasesOutstanding: sum(shards, \.leaks.leasesOutstanding), tasksOutstanding: sum(shards, \.leaks.tasksOutstanding),
            allocatedBytesGrowth: growths.count == shards.count ? growths.reduce(0, +) : nil, fdGrowth: sum(shards, \.leaks.fdGrowth))

        // The harness's delivery is summed when every shard reports it, and judged again on the sums: the
        // rule is about the fleet's load, so a small shard's shortfall can be within the bound for the whole.
        let deliveries = shards.compactMap(\.harness)
        let harness = deliveries.count == shards.count && !deliveries.isEmpty
            ? HarnessDelivery(intendedOpens: deliveries.reduce(0) { $0 + $1.intendedOpens },
                              achievedOpens: deliveries.reduce(0) { $0 + $1.achievedOpens },
                              lateOpens: deliveries.reduce(0) { $0 + $1.lateOpens },
                              intendedChecks: deliveries.reduce(0) { $0 + $1.intendedChecks },
                              achievedChecks: deliveries.reduce(0) { $0 + $1.achievedChecks },
                              requiredFraction: deliveries.map(\.requiredFraction).max() ?? StormRunner.harnessKeptUpFraction)
            : nil
        var invariants: [InvariantResult] = []
        for invariant in first.invariants {
            if let harness, invariant.name == StormRunner.harnessKeptUpName {
                invariants.append(StormRunner.harnessKeptUp(harness))
                continue
            }
            let matching = shards.compactMap { $0.invariants.first { $0.name == invariant.name } }
            invariants.append(InvariantResult(name: invariant.name, violations: matching.reduce(0) { $0 + $1.violations },
                                              example: matching.lazy.compactMap(\.example).first, gating: invariant.gating))
        }
        var thresholds: [String] = []
        for expression in shards.flatMap({ $0.thresholds.map(\.expression) }) where !thresholds.contains(expression) {
            thresholds.append(expression)
        }

        var summary = RunSummary(scenario: scenario, environment: environment,
                                 durationNanoseconds: shards.map(\.durationNanoseconds).max() ?? 0,
                                 connections: connections, fetches: fetches, answers: answers, latency: latency,
                                 contention: contention, lifecycle: lifecycle, leaks: leaks, invariants: invariants,
                                 thresholds: [], verdict: .pass, timeline: mergedTimeline(shards.compactMap(\.timeline)),
                                 harness: harness)
        StormRunner.judge(&summary, thresholds: thresholds)
        return summary
    }

    static func sum(_ shards: [RunSummary], _ field: KeyPath<RunSummary, Int>) -> Int {
        shards.reduce(0) { $0 + $1[keyPath: field] }
    }

    /// The shards' timelines on the widest bucket: counts re-bucketed and added, live counts
    /// re-bucketed by their peak and added, the busiest hosts of all shards.
    static func mergedTimeline(_ timelines: [RunTimeline]) -> RunTimeline? {
        guard let widest = timelines.map(\.bucketNanoseconds).max(), widest > 0 else { return nil }
        func rebucket(_ column: [Int], from width: Int64, peak: Bool) -> [Int] {
            var result: [Int] = []
            for (index, value) in column.enumerated() {
                let target = Int(Int64(index) * width / widest)
                while result.count <= target { result.append(0) }
                result[target] = peak ? max(result[target], value) : result[target] + value
            }
            return result
        }
        func add(_ columns: [[Int]]) -> [Int] {
            var total = Array(repeating: 0, count: columns.map(\.count).max() ?? 0)
            for column in columns { for (index, value) in column.enumerated() { total[index] += value } }
            return total
        }
        let hosts = timelines.flatMap { timeline in
            timeline.hosts.map { host in
                HostTimeline(host: host.host, fetches: rebucket(host.fetches, from: timeline.bucketNanoseconds, peak: false),
                             minimum: rebucket(host.minimum, from: timeline.bucketNanoseconds, peak: false))
            }
        }.sorted { ($0.fetches.reduce(0, +), $1.host) > ($1.fetches.reduce(0, +), $0.host) }
        return RunTimeline(
            bucketNanoseconds: widest,
            liveConnections: add(timelines.map { rebucket($0.liveConnections, from: $0.bucketNanoseconds, peak: true) }),
            liveClients: add(timelines.map { rebucket($0.liveClients, from: $0.bucketNanoseconds, peak: true) }),
            fetches: add(timelines.map { rebucket($0.fetches, from: $0.bucketNanoseconds, peak: false) }),
            rateLimited: add(timelines.map { rebucket($0.rateLimited, from: $0.bucketNanoseconds, peak: false) }),
            hosts: Array(hosts.prefix(RunTimeline.maximumHosts)),
            perHostLimitPerSecond: timelines.first?.perHostLimitPerSecond,
            globalLimitPerSecond: timelines.first?.globalLimitPerSecond)
    }
}

extension LockContention {
    /// A lock's figures read from its histograms (as the run's summary computes them).
    init(acquisitions: UInt64, contended: UInt64, wait: DurationHistogram, hold: DurationHistogram) {
        self.init(acquisitions: acquisitions, contended: contended,
                  waitP50Nanoseconds: Int64(wait.percentile(0.5)), waitP99Nanoseconds: Int64(wait.percentile(0.99)),
                  waitMaxNanoseconds: Int64(wait.maxNanoseconds), holdP99Nanoseconds: Int64(hold.percentile(0.99)),
                  wait: DurationBuckets(wait), hold: DurationBuckets(hold))
    }
}
