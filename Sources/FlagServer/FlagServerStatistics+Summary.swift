extension FlagServerStatistics {
    /// A plain-text summary for people, as `flagstorm serve` prints it on exit.
    ///
    /// Totals, every outcome, the 429 count, the peak per-host rate per minute,
    /// then the `topHosts` busiest hosts (ties by name) with their requests,
    /// 429s and peak per minute.
    public func summaryText(topHosts: Int = 20) -> String {
        var lines: [String] = []
        lines.append("requests: \(requests) (in flight: \(inFlight), peak in flight: \(peakInFlight))")
        let outcomeText = outcomes.keys.sorted().map { "\($0.label) \(outcomes[$0]!)" }.joined(separator: ", ")
        lines.append("outcomes: " + (outcomeText.isEmpty ? "none" : outcomeText))
        lines.append("429s from rate limits: \(self[.rateLimited])")
        let ranked = hosts.sorted { lhs, rhs in
            lhs.value.requests != rhs.value.requests ? lhs.value.requests > rhs.value.requests : lhs.key < rhs.key
        }
        if let busiest = hosts.max(by: { lhs, rhs in
            lhs.value.peakRequestsPerMinute != rhs.value.peakRequestsPerMinute
                ? lhs.value.peakRequestsPerMinute < rhs.value.peakRequestsPerMinute : lhs.key > rhs.key
        }) {
            lines.append("peak per-host rate: \(busiest.value.peakRequestsPerMinute) requests/minute (\(busiest.key))")
        } else {
            lines.append("peak per-host rate: 0 requests/minute")
        }
        if droppedJournalEntries > 0 {
            lines.append("journal entries dropped (journal limit): \(droppedJournalEntries)")
        }
        let shown = ranked.prefix(max(topHosts, 0))
        lines.append("hosts: \(hosts.count)" + (shown.isEmpty ? "" : "; top \(shown.count) by requests:"))
        let width = shown.map(\.key.count).max() ?? 0
        for (name, host) in shown {
            let padded = name + String(repeating: " ", count: width - name.count)
            lines.append("  \(padded)  requests \(host.requests)  429s \(host[.rateLimited])  peak/min \(host.peakRequestsPerMinute)")
        }
        return lines.joined(separator: "\n")
    }
}
