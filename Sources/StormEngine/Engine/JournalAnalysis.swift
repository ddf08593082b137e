import FeatureFlags
import FlagServer

/// What the fake server's journal says about a run, beyond plain counts:
/// requests that ignored a `Retry-After`, and hosts with two fetches in flight.
///
/// Why from the journal: it is the ground truth of what reached the server,
/// whatever the client believes it did.
struct JournalAnalysis {
    var beforeRetryAfter = 0
    var beforeRetryAfterExample: String?
    var overlapping = 0
    var overlappingExample: String?

    /// Analyses `journal`; a hang is taken to last `hangBound` (the client's fetch timeout).
    init(journal: [FlagServerJournalEntry], configuration: FlagServerConfiguration, start: FlagInstant, hangBound: Duration) {
        let outages = configuration.outages.map { outage in
            (outage, outage.hosts.map { Set($0.map { HostKey($0).normalized }) })
        }
        var byHost: [String: [FlagServerJournalEntry]] = [:]
        for entry in journal { byHost[entry.host, default: []].append(entry) }
        for host in byHost.keys.sorted() {
            let entries = byHost[host]!.sorted { $0.arrival < $1.arrival }
            var notBefore: FlagInstant?
            var notBeforeReason = ""
            var busyUntil: FlagInstant?
            for entry in entries {
                if let notBefore, entry.arrival < notBefore {
                    beforeRetryAfter += 1
                    if beforeRetryAfterExample == nil {
                        beforeRetryAfterExample = "\(host): request at \(entry.arrival - start) came \(notBefore - entry.arrival) before the Retry-After of \(notBeforeReason) had passed"
                    }
                }
                if let busyUntil, entry.arrival < busyUntil {
                    overlapping += 1
                    if overlappingExample == nil {
                        overlappingExample = "\(host): request at \(entry.arrival - start) arrived while another request for the host was in flight until \(busyUntil - start)"
                    }
                }
                let answeredAt = entry.arrival + (entry.latency ?? hangBound)
                busyUntil = max(busyUntil ?? answeredAt, answeredAt)

                let elapsed = entry.arrival - start
                var retryAfter: Int?
                switch entry.outcome {
                case .rateLimited(let seconds):
                    retryAfter = seconds
                case .status(let status):
                    retryAfter = outages.first { outage, hosts in
                        outage.status == status && outage.window.contains(elapsed) && (hosts?.contains(host) ?? true)
                    }?.0.retryAfterSeconds
                default:
                    retryAfter = nil
                }
                if let retryAfter, retryAfter > 0 {
                    notBefore = answeredAt + .seconds(retryAfter)
                    notBeforeReason = "the answer at \(entry.arrival - start) (\(retryAfter) s)"
                }
            }
        }
    }
}
