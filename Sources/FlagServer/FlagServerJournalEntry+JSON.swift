import FeatureFlags

extension FlagServerJournalEntry {
    /// The entry as one line of JSON, as `GET /_flagstorm/journal` serves it.
    ///
    /// `{"id":N,"host":"…","at_us":N,"outcome":"ok","latency_us":N,…}` where
    /// `at_us` is the arrival in microseconds after `start` (the model's start)
    /// and the details of the outcome follow: `value` (ok, slow body), `status`
    /// (statuses and 429s), `retry_after` (429 from a rate limiter), `slow_us`
    /// (slow body), `path` (not found). `latency_us` is absent for a hang.
    public func jsonLine(relativeTo start: FlagInstant) -> String {
        let elapsed = arrival > start ? arrival.nanoseconds - start.nanoseconds : 0
        var json = "{\"id\":\(requestID),\"host\":\"\(FlagServerResponse.escapeJSON(host))\""
        json += ",\"at_us\":\(elapsed / 1_000),\"outcome\":\"\(outcome.kind.label)\""
        switch outcome {
        case .ok(let value):
            json += ",\"status\":200,\"value\":\(value)"
        case .status(let status):
            json += ",\"status\":\(status)"
        case .rateLimited(let retryAfter):
            json += ",\"status\":429,\"retry_after\":\(retryAfter)"
        case .hang, .reset:
            break
        case .emptyBody, .malformedJSON:
            json += ",\"status\":200"
        case .slowBody(let value, let duration):
            json += ",\"status\":200,\"value\":\(value),\"slow_us\":\(duration.flagNanoseconds / 1_000)"
        case .notFound(let path):
            json += ",\"status\":404,\"path\":\"\(FlagServerResponse.escapeJSON(path))\""
        }
        if let latency {
            json += ",\"latency_us\":\(latency.flagNanoseconds / 1_000)"
        }
        return json + "}"
    }
}
