import StormReport

extension HTMLReport {
    /// The scales every run of one scenario is drawn on, so side-by-side
    /// policies compare at a glance (a `seed` storm and a quiet `recommended`
    /// run on the same fetches-per-second axis).
    ///
    /// Why computed up front: each chart is drawn per run, but its domain must
    /// cover every run of the group; deriving it here once keeps the chart
    /// functions per run and the domains identical.
    struct SharedScales {
        /// Percentile axis of the latency curves: `log10(1/(1−p))`, with the maximum one decade past the last finite percentile.
        var percentile: ChartScale
        /// Latency axis, logarithmic, in nanoseconds.
        var latency: ChartScale
        /// Time since the run started, in seconds.
        var time: ChartScale
        /// Fetches per second of the busiest hosts (with their minimum and the per-host limit).
        var hostRate: ChartScale
        /// Fetches per second of all hosts (with 429s and the global limit).
        var totalRate: ChartScale
        /// Live connections.
        var liveConnections: ChartScale
        /// Live telemetry clients.
        var liveClients: ChartScale
        /// Contended acquisitions per lock.
        var contended: ChartScale
        /// Lock wait p99, logarithmic, in nanoseconds.
        var lockWait: ChartScale

        /// Scales covering every run of `group`.
        init(_ group: [RunSummary]) {
            let curves = group.flatMap { HTMLReport.latencyOperations($0).map(\.1) }.flatMap { $0 }
            let finite = curves.filter { $0.percentile < 100 }.map { HTMLReport.percentileX($0.percentile) }
            let decades = min(max(Int(((finite.max() ?? 1) - 1e-9).rounded(.up)), 1), 9)
            let top = Double(decades) + (curves.contains { $0.percentile >= 100 } ? 1 : 0)
            var ticks = [ChartScale.Tick(value: HTMLReport.percentileX(50), label: "50 %")]
            ticks += (1...decades).map { ChartScale.Tick(value: Double($0), label: HTMLReport.percentileLabel(decades: $0)) }
            if top > Double(decades) { ticks.append(ChartScale.Tick(value: top, label: "max")) }
            percentile = ChartScale(kind: .linear, lower: 0, upper: top, ticks: ticks)
            maximumPercentileX = top
            let values = curves.map { Double(max($0.valueNanoseconds, 1)) }
            latency = .logarithmic(from: values.min() ?? 1, to: values.max() ?? 1, label: NumberText.durationTick)

            let timelines = group.compactMap(\.timeline).filter { $0.bucketCount > 0 && $0.bucketNanoseconds > 0 }
            let seconds = timelines.map { Double($0.bucketCount) * Double($0.bucketNanoseconds) / 1e9 }.max() ?? 1
            time = .linear(upTo: seconds, exact: true)
            hostRatePeak = timelines.map { HTMLReport.peak(HTMLReport.hostColumns($0), $0, limit: $0.perHostLimitPerSecond) }.max() ?? 0
            hostRate = .linear(upTo: hostRatePeak)
            totalRatePeak = timelines.map { HTMLReport.peak([$0.fetches, $0.rateLimited], $0, limit: $0.globalLimitPerSecond) }.max() ?? 0
            totalRate = .linear(upTo: totalRatePeak)
            liveConnections = .linear(upTo: timelines.map { HTMLReport.peak([$0.liveConnections], $0, perSecond: false) }.max() ?? 0, integral: true)
            liveClients = .linear(upTo: timelines.map { HTMLReport.peak([$0.liveClients], $0, perSecond: false) }.max() ?? 0, integral: true)

            let locks = group.flatMap(\.contention.values)
            contended = .linear(upTo: Double(locks.map(\.contended).max() ?? 0), integral: true)
            let waits = locks.filter { $0.contended > 0 && $0.waitP99Nanoseconds > 0 }.map { Double($0.waitP99Nanoseconds) }
            lockWait = .logarithmic(from: (waits.min() ?? 10) / 10, to: waits.max() ?? 100, label: NumberText.durationTick)
        }

        /// Where the 100th percentile (the maximum) is drawn on ``percentile``.
        var maximumPercentileX: Double
        /// The highest busiest-host rate (or per-host limit, with headroom) of any run of the group.
        var hostRatePeak: Double
        /// The highest all-hosts rate (or global limit, with headroom) of any run of the group.
        var totalRatePeak: Double
    }
}
