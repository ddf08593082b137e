extension FlagServerStatistics {
    /// The counters as one JSON object, as `GET /_flagstorm/stats` serves them.
    ///
    /// `{"requests":N,"in_flight":N,"peak_in_flight":N,"dropped_journal_entries":N,
    /// "peak_requests_per_minute_per_host":N,"outcomes":{"ok":N,…},
    /// "hosts":{"a.example":{"requests":N,"peak_requests_per_minute":N,"outcomes":{…}},…}}`.
    /// Outcome names are ``FlagServerOutcomeKind/label``; hosts are sorted by
    /// name so two snapshots diff cleanly. Written by hand: the target stays
    /// free of Foundation and the shape is fixed.
    public func jsonText() -> String {
        var json = "{\"requests\":\(requests),\"in_flight\":\(inFlight),\"peak_in_flight\":\(peakInFlight)"
        json += ",\"dropped_journal_entries\":\(droppedJournalEntries)"
        json += ",\"peak_requests_per_minute_per_host\":\(peakRequestsPerMinutePerHost)"
        json += ",\"outcomes\":" + Self.outcomesJSON(outcomes)
        json += ",\"hosts\":{"
        var first = true
        for name in hosts.keys.sorted() {
            let host = hosts[name]!
            if !first { json += "," }
            first = false
            json += "\"" + FlagServerResponse.escapeJSON(name) + "\":{\"requests\":\(host.requests)"
            json += ",\"peak_requests_per_minute\":\(host.peakRequestsPerMinute)"
            json += ",\"outcomes\":" + Self.outcomesJSON(host.outcomes) + "}"
        }
        json += "}}"
        return json
    }

    static func outcomesJSON(_ outcomes: [FlagServerOutcomeKind: Int]) -> String {
        "{" + outcomes.keys.sorted().map { "\"\($0.label)\":\(outcomes[$0]!)" }.joined(separator: ",") + "}"
    }
}
