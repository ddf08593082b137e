import FeatureFlags

extension FlagServerConfiguration {
    /// Every problem with this configuration, each with its path; empty when it is usable.
    ///
    /// Why all at once: fixing a scenario one error per run is slow (house
    /// style: config is data, `validate()` reports every problem with its path).
    public func validate() -> [ConfigurationProblem] {
        var problems = Problems()
        if flagName.isEmpty { problems.add("flagName", "must not be empty") }
        Self.validate(defaultHost, at: "defaultHost", into: &problems)
        var normalizedNames: [String: String] = [:]
        for name in hosts.keys.sorted() {
            let path = "hosts[\"\(name)\"]"
            let normalized = HostKey(name).normalized
            if normalized.isEmpty {
                problems.add(path, "host name must not be empty")
            } else if let other = normalizedNames[normalized] {
                problems.add(path, "names the same host as \"\(other)\" (\(normalized))")
            } else {
                normalizedNames[normalized] = name
            }
            Self.validate(hosts[name]!, at: path, into: &problems)
        }
        Self.validate(latency, at: "latency", into: &problems)

        var alwaysApplying = 0.0
        for (index, fault) in faults.enumerated() {
            let path = "faults[\(index)]"
            if !(0...1).contains(fault.probability) {
                problems.add("\(path).probability", "must be within 0...1")
            } else if fault.window == nil, fault.hosts == nil {
                alwaysApplying += fault.probability
            }
            switch fault.kind {
            case .status(let status, let retryAfter):
                Self.validate(status: status, at: "\(path).kind.status", into: &problems)
                if let retryAfter, retryAfter < 0 { problems.add("\(path).kind.retryAfterSeconds", "must be >= 0") }
            case .slowBody(let duration):
                if duration <= .zero { problems.add("\(path).kind.slowBody", "must be > 0") }
            case .hang, .reset, .emptyBody, .malformedJSON:
                break
            }
            Self.validate(fault.window, at: "\(path).window", into: &problems)
            Self.validate(fault.hosts, at: "\(path).hosts", into: &problems)
        }
        if alwaysApplying > 1 + 1e-9 {
            let shown = (alwaysApplying * 1_000).rounded() / 1_000
            problems.add("faults", "probabilities of the faults that apply to every request sum to \(shown), must be <= 1")
        }

        for (index, outage) in outages.enumerated() {
            let path = "outages[\(index)]"
            Self.validate(outage.window, at: "\(path).window", into: &problems)
            Self.validate(status: outage.status, at: "\(path).status", into: &problems)
            if let retryAfter = outage.retryAfterSeconds, retryAfter < 0 {
                problems.add("\(path).retryAfterSeconds", "must be >= 0")
            }
            Self.validate(outage.hosts, at: "\(path).hosts", into: &problems)
        }
        for (index, flap) in flapping.enumerated() {
            let path = "flapping[\(index)]"
            if flap.up <= .zero { problems.add("\(path).up", "must be > 0") }
            if flap.down <= .zero { problems.add("\(path).down", "must be > 0") }
            Self.validate(status: flap.status, at: "\(path).status", into: &problems)
            Self.validate(flap.window, at: "\(path).window", into: &problems)
            Self.validate(flap.hosts, at: "\(path).hosts", into: &problems)
        }
        Self.validate(rateLimits.perHost, at: "rateLimits.perHost", into: &problems)
        Self.validate(rateLimits.global, at: "rateLimits.global", into: &problems)
        if let journalEntryLimit, journalEntryLimit < 0 { problems.add("journalEntryLimit", "must be >= 0") }
        return problems.list
    }

    private struct Problems {
        var list: [ConfigurationProblem] = []
        mutating func add(_ path: String, _ message: String) {
            list.append(ConfigurationProblem(path: path, message: message))
        }
    }

    private static func validate(_ profile: FlagHostProfile, at path: String, into problems: inout Problems) {
        if profile.ttlSeconds < 0 { problems.add("\(path).ttlSeconds", "must be >= 0") }
        if case .schedule(_, let flips) = profile.truth {
            for (index, flip) in flips.enumerated() {
                let flipPath = "\(path).truth.flips[\(index)].at"
                if flip.at < .zero {
                    problems.add(flipPath, "must be >= 0")
                } else if index > 0, flip.at < flips[index - 1].at {
                    problems.add(flipPath, "must not be earlier than flips[\(index - 1)].at")
                }
            }
        }
        if let latency = profile.latency { validate(latency, at: "\(path).latency", into: &problems) }
    }

    private static func validate(_ latency: LatencyDistribution, at path: String, into problems: inout Problems) {
        switch latency {
        case .fixed(let duration):
            if duration < .zero { problems.add("\(path).fixed", "must be >= 0") }
        case .uniform(let low, let high):
            if low < .zero { problems.add("\(path).uniform.min", "must be >= 0") }
            if high < low { problems.add("\(path).uniform.max", "must be >= min") }
        case .logNormal(let median, let p99):
            if median <= .zero { problems.add("\(path).logNormal.median", "must be > 0") }
            if p99 < median { problems.add("\(path).logNormal.p99", "must be >= median") }
        case .bimodal(let base, let stallProbability, let stall):
            validate(base, at: "\(path).bimodal.base", into: &problems)
            if !(0...1).contains(stallProbability) {
                problems.add("\(path).bimodal.stallProbability", "must be within 0...1")
            }
            if stall < .zero { problems.add("\(path).bimodal.stall", "must be >= 0") }
        }
    }

    private static func validate(status: Int, at path: String, into problems: inout Problems) {
        if !(100...599).contains(status) || status == 200 {
            problems.add(path, "must be an HTTP status within 100...599 other than 200")
        }
    }

    private static func validate(_ window: FlagServerTimeWindow?, at path: String, into problems: inout Problems) {
        guard let window else { return }
        if window.start < .zero { problems.add("\(path).start", "must be >= 0") }
        if window.end <= window.start { problems.add("\(path).end", "must be after start") }
    }

    private static func validate(_ hosts: Set<String>?, at path: String, into problems: inout Problems) {
        if let hosts, hosts.isEmpty { problems.add(path, "must not be empty (omit it to apply to every host)") }
    }

    private static func validate(_ limit: FlagServerRateLimit?, at path: String, into problems: inout Problems) {
        guard let limit else { return }
        if limit.requests <= 0 { problems.add("\(path).requests", "must be > 0") }
        if limit.window <= .zero { problems.add("\(path).window", "must be > 0") }
        if limit.burst <= 0 { problems.add("\(path).burst", "must be > 0") }
    }
}
