import FeatureFlags
import FlagServer
import StormReport

/// Counts what the flag endpoint receives during a plan's simulation: requests per window, globally
/// and per host, by outcome; and per process and host, when the last good answer came and whether
/// the last request was throttled (to tell stale and throttled answers apart).
///
/// Why not the server's journal: a day over 100,000 hosts makes millions of requests, and the plan
/// needs only counts per window. Requests reach the meter in virtual-time order (one simulated
/// thread), so each host's windows are counted as a stream: one counter per host, folded into a
/// histogram of per-window counts when the host's window moves on (for the mean and the 99th
/// percentile over fixed windows). The peak is the busiest *sliding* window, from a queue of each
/// host's requests within the last window: a burst that straddles two fixed windows would
/// otherwise look half as big, and the headroom twice as large, as it is.
final class PlanLoadMeter: @unchecked Sendable {
    // @unchecked: only the simulation's single thread touches it, during one run; the result is read after.
    let hostCount: Int
    let hostWindow: UInt64
    let globalWindow: UInt64
    private var hostCurrentWindow: [Int32]
    private var hostWindowCount: [Int32]
    private(set) var hostTotals: [Int]
    /// How many host-windows saw exactly `n` requests (`n >= 1`).
    private var hostWindowHistogram: [Int: Int] = [:]
    private var hostRecent: [SlidingWindow]
    private var globalRecent = SlidingWindow()
    /// The busiest sliding window per host: its count, host and first request (ns from the start of measuring).
    private var hostPeak = (count: 0, host: -1, start: UInt64(0))
    private var globalPeak = (count: 0, start: UInt64(0))
    private(set) var globalCounts: [Int] = []
    /// The timeline's bucket length and its counts (requests, 429s, exports per bucket).
    let bucket: UInt64
    private var bucketRequests: [Int] = []
    private var bucketRateLimited: [Int] = []
    private var bucketExports: [Int] = []
    /// Requests refused (429 or another failure) over the whole run, the warm-up included.
    private(set) var refusedIncludingWarmup = 0
    private(set) var requests = 0
    private(set) var ok = 0
    private(set) var rateLimited = 0
    private(set) var failed = 0
    private(set) var exports = 0
    private(set) var exportsRefused = 0
    private var lastRequestTime: UInt64 = 0
    /// Per process incarnation and host: the last good answer's time (ns, 0: never) and whether the last request got a 429.
    private var streams: [Int: (lastGood: UInt64, throttled: Bool)] = [:]

    /// Requests before this (ns from the start) are not counted: the plan's warm-up.
    let measureFrom: UInt64

    init(hostCount: Int, hostWindow: Duration, globalWindow: Duration, measureFrom: Duration = .zero,
         measuredSpan: Duration = .seconds(86_400)) {
        self.hostCount = hostCount
        self.bucket = Self.bucketLength(for: measuredSpan)
        self.measureFrom = UInt64(max(measureFrom.flagNanoseconds, 0))
        self.hostWindow = UInt64(max(hostWindow.flagNanoseconds, 1))
        self.globalWindow = UInt64(max(globalWindow.flagNanoseconds, 1))
        hostCurrentWindow = Array(repeating: -1, count: hostCount)
        hostWindowCount = Array(repeating: 0, count: hostCount)
        hostTotals = Array(repeating: 0, count: hostCount)
        hostRecent = Array(repeating: SlidingWindow(), count: hostCount)
    }

    /// The requests of the last window, oldest first (a queue over an array; the head moves on).
    struct SlidingWindow {
        var times: [UInt64] = []
        var head = 0

        /// Adds a request at `time` and drops those at or before `time − window`; returns the window's count and its first request.
        mutating func add(_ time: UInt64, window: UInt64) -> (count: Int, first: UInt64) {
            times.append(time)
            while time >= window, times[head] <= time - window { head += 1 }
            if head > 32, head * 2 > times.count {
                times.removeFirst(head)
                head = 0
            }
            return (times.count - head, times[head])
        }
    }

    /// A request for `host` arrived at `time` (ns from the start).
    func requestArrived(host: Int, at absolute: UInt64) {
        guard absolute >= measureFrom else { return }
        let time = absolute - measureFrom
        requests += 1
        lastRequestTime = max(lastRequestTime, time)
        hostTotals[host] += 1
        let window = Int32(clamping: time / hostWindow)
        if hostCurrentWindow[host] == window {
            hostWindowCount[host] += 1
        } else {
            foldHost(host)
            hostCurrentWindow[host] = window
            hostWindowCount[host] = 1
        }
        let hostBusiest = hostRecent[host].add(time, window: hostWindow)
        if hostBusiest.count > hostPeak.count { hostPeak = (hostBusiest.count, host, hostBusiest.first) }
        let globalBusiest = globalRecent.add(time, window: globalWindow)
        if globalBusiest.count > globalPeak.count { globalPeak = (globalBusiest.count, globalBusiest.first) }
        Self.count(&bucketRequests, at: Int(time / bucket))
        let globalIndex = Int(time / globalWindow)
        if globalIndex >= globalCounts.count {
            globalCounts.append(contentsOf: repeatElement(0, count: globalIndex - globalCounts.count + 1))
        }
        globalCounts[globalIndex] += 1
    }

    private func foldHost(_ host: Int) {
        let count = Int(hostWindowCount[host])
        guard count > 0 else { return }
        hostWindowHistogram[count, default: 0] += 1
        hostWindowCount[host] = 0
    }

    /// A bucket length giving about 240 buckets over `span`, rounded up to a readable one (1 s … 1 h).
    static func bucketLength(for span: Duration) -> UInt64 {
        let target = max(span.planSeconds / 240, 1)
        let lengths: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600]
        return UInt64((lengths.first { $0 >= target } ?? (target / 3_600).rounded(.up) * 3_600) * 1e9)
    }

    private static func count(_ buckets: inout [Int], at index: Int) {
        if index >= buckets.count { buckets.append(contentsOf: repeatElement(0, count: index - buckets.count + 1)) }
        buckets[index] += 1
    }

    /// The load over time, each series as long as the longest.
    func timeline() -> PlanTimeline {
        let length = max(bucketRequests.count, bucketRateLimited.count, bucketExports.count)
        func padded(_ values: [Int]) -> [Int] { values + repeatElement(0, count: length - values.count) }
        return PlanTimeline(startNanoseconds: Int64(measureFrom), bucketNanoseconds: Int64(bucket),
                            requests: padded(bucketRequests), rateLimited: padded(bucketRateLimited),
                            telemetryExports: padded(bucketExports))
    }

    /// A telemetry export for `host` reached the endpoint at `time` (ns from the start) and was answered with `outcome`.
    func exportArrived(host: Int, at time: UInt64, outcome: Outcome) {
        if outcome != .ok { refusedIncludingWarmup += 1 }
        guard time >= measureFrom else { return }
        requestArrived(host: host, at: time)
        exports += 1
        Self.count(&bucketExports, at: Int((time - measureFrom) / bucket))
        if outcome == .rateLimited { Self.count(&bucketRateLimited, at: Int((time - measureFrom) / bucket)) }
        switch outcome {
        case .ok: ok += 1
        case .rateLimited: rateLimited += 1; exportsRefused += 1
        case .failed: failed += 1; exportsRefused += 1
        }
    }

    /// The request of `stream` (a process incarnation and host, see ``streamKey``) finished at `time` with `outcome`.
    func requestFinished(stream: Int, at time: UInt64, outcome: Outcome, arrivedAt arrival: UInt64) {
        if outcome != .ok { refusedIncludingWarmup += 1 }
        if arrival >= measureFrom {
            switch outcome {
            case .ok: ok += 1
            case .rateLimited:
                rateLimited += 1
                Self.count(&bucketRateLimited, at: Int((arrival - measureFrom) / bucket))
            case .failed: failed += 1
            }
        }
        var entry = streams[stream] ?? (0, false)
        if outcome == .ok { entry.lastGood = time }
        entry.throttled = outcome == .rateLimited
        streams[stream] = entry
    }

    /// How a request ended.
    enum Outcome { case ok, rateLimited, failed }

    /// The last good answer's time for `stream` (0: none yet) and whether its last request was throttled.
    func stream(_ stream: Int) -> (lastGood: UInt64, throttled: Bool) { streams[stream] ?? (0, false) }

    /// The key of one process incarnation's view of one host.
    func streamKey(generation: Int, process: Int, processes: Int, host: Int) -> Int {
        (generation * processes + process) * hostCount + host
    }

    /// The per-host and global load over `duration` (the measured span: at least up to the last request), against the limits.
    func loads(duration: Duration, limits: FlagServerRateLimits, hostName: (Int) -> String) -> (global: PlanLoad, perHost: PlanLoad) {
        for host in 0..<hostCount { foldHost(host) }
        let span = max(UInt64(max(duration.flagNanoseconds, 1)), lastRequestTime &+ 1)
        let seconds = Double(span) / 1e9

        let hostWindows = Int((span + hostWindow - 1) / hostWindow)
        let totalHostWindows = hostCount * hostWindows
        let hostWindowSeconds = Double(hostWindow) / 1e9
        var p99Count = 0
        let rank = Int((0.99 * Double(totalHostWindows)).rounded(.up))  // the 1-based rank of the 99th percentile
        var seen = totalHostWindows - hostWindowHistogram.values.reduce(0, +)  // windows without a request
        if seen < rank {
            for (count, windows) in hostWindowHistogram.sorted(by: { $0.key < $1.key }) {
                seen += windows
                if seen >= rank { p99Count = count; break }
            }
        }
        let perHost = Self.load(window: hostWindow, mean: Double(requests) / Double(hostCount) / seconds,
                                p99: Double(p99Count) / hostWindowSeconds, peakCount: hostPeak.count,
                                peakStart: measureFrom &+ hostPeak.start,
                                busiestHost: hostPeak.host >= 0 ? hostName(hostPeak.host) : nil, limit: limits.perHost)

        var globalWindows = globalCounts
        let globalWindowCount = Int((span + globalWindow - 1) / globalWindow)
        if globalWindows.count < globalWindowCount {
            globalWindows.append(contentsOf: repeatElement(0, count: globalWindowCount - globalWindows.count))
        }
        let sorted = globalWindows.sorted()
        let globalRank = max(Int((0.99 * Double(sorted.count)).rounded(.up)), 1)
        let global = Self.load(window: globalWindow, mean: Double(requests) / seconds,
                               p99: Double(sorted.isEmpty ? 0 : sorted[globalRank - 1]) / (Double(globalWindow) / 1e9),
                               peakCount: globalPeak.count, peakStart: measureFrom &+ globalPeak.start, busiestHost: nil,
                               limit: limits.global)
        return (global, perHost)
    }

    /// A load block; `peakStart` is the busiest sliding window's first request, from the start of the simulation.
    private static func load(window: UInt64, mean: Double, p99: Double, peakCount: Int, peakStart: UInt64,
                             busiestHost: String?, limit: FlagServerRateLimit?) -> PlanLoad {
        let windowSeconds = Double(window) / 1e9
        let limitPerSecond = limit.map { Double($0.requests) / $0.window.planSeconds }
        // Over the limit's own window (the meter counts in it), the busiest sliding window against what it refills.
        let headroom = limit.map { 1 - Double(peakCount) / Double(max($0.requests, 1)) }
        return PlanLoad(windowNanoseconds: Int64(window), meanPerSecond: mean, p99PerSecond: p99,
                        peakPerSecond: Double(peakCount) / windowSeconds, peakRequests: peakCount,
                        peakAtNanoseconds: Int64(clamping: peakStart), busiestHost: busiestHost,
                        limitPerSecond: limitPerSecond, limitBurst: limit?.burst, headroom: headroom)
    }
}

/// The fetcher a plan's process uses: the in-memory transport to the server model, with the meter told of every request.
struct PlanMeteredFetcher: FlagFetcher {
    let base: InMemoryFlagTransport
    let meter: PlanLoadMeter
    let clock: any FlagClock
    let origin: UInt64
    let hostIndex: [String: Int]
    let generation: Int
    let process: Int
    let processes: Int

    func fetchFlag(for host: HostKey) async throws -> FlagFetchResult {
        let index = hostIndex[host.normalized] ?? 0
        let arrival = clock.now().nanoseconds &- origin
        meter.requestArrived(host: index, at: arrival)
        let stream = meter.streamKey(generation: generation, process: process, processes: processes, host: index)
        do {
            let result = try await base.fetchFlag(for: host)
            meter.requestFinished(stream: stream, at: clock.now().nanoseconds &- origin, outcome: .ok, arrivedAt: arrival)
            return result
        } catch {
            var outcome = PlanLoadMeter.Outcome.failed
            if let fetchError = error as? FlagFetchError, case .httpStatus(429) = fetchError.kind { outcome = .rateLimited }
            meter.requestFinished(stream: stream, at: clock.now().nanoseconds &- origin, outcome: outcome, arrivedAt: arrival)
            throw error
        }
    }
}
