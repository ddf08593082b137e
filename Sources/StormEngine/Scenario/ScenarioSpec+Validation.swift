import FeatureFlags
import FlagServer
import Foundation
import StormReport

extension ScenarioSpec {
    /// Every problem with this scenario's values, each with its file path (`load.connections: must be > 0`); empty when it can run.
    ///
    /// Checks ranges and consistency (counts, fractions, durations, the host
    /// pattern and its spellings, hosts named elsewhere in the file), then runs
    /// ``FlagServer/FlagServerConfiguration/validate()`` and reports its problems
    /// under `server.`, with the model's paths turned into the file's
    /// (`defaultHost.ttlSeconds` → `server.ttlSeconds`, `outages[0].window.end` → `server.outages[0].until`).
    /// ``decode(yaml:file:)`` calls it; call it yourself on a spec built in code.
    public func validate() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        func add(_ path: String, _ message: String) {
            problems.append(ConfigurationProblem(path: path, message: message))
        }
        func fraction(_ value: Double, _ path: String) {
            if !(0...1).contains(value) { add(path, "must be within 0...1, got \(value)") }
        }
        func positive(_ duration: Duration, _ path: String) {
            if duration <= .zero { add(path, "must be > 0") }
        }

        Self.validateName(name, add)
        if description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { add("description", "must not be empty: say what the scenario shows and why") }
        if policies.isEmpty { add("policy", "must name at least one policy") }

        Self.validateCache(cache, add)

        let hostsUsable = Self.validateHosts(hosts, add)

        switch load {
        case .burst(let connections):
            if connections <= 0 { add("load.connections", "must be > 0") }
        case .constantArrival(let rate, let duration, let maxConnections):
            if rate.count <= 0 { add("load.rate", "must be > 0") }
            positive(rate.window, "load.rate")
            positive(duration, "load.duration")
            if maxConnections <= 0 { add("load.maxConnections", "must be > 0") }
        case .rampingArrival(let startRate, let stages, let maxConnections):
            if startRate.count < 0 { add("load.startRate", "must be >= 0") }
            if stages.isEmpty { add("load.stages", "must have at least one stage, e.g. [{duration: 10s, target: 500/s}]") }
            for (index, stage) in stages.enumerated() {
                positive(stage.duration, "load.stages[\(index)].duration")
                if stage.target.count < 0 { add("load.stages[\(index)].target", "must be >= 0") }
            }
            if maxConnections <= 0 { add("load.maxConnections", "must be > 0") }
        case .constantConnections(let connections, let duration):
            if connections <= 0 { add("load.connections", "must be > 0") }
            positive(duration, "load.duration")
        }

        validate(connection.lifetime, at: "connection.lifetime", add)
        positive(connection.checkInterval, "connection.checkInterval")
        if connection.eventsPerCheck < 0 { add("connection.eventsPerCheck", "must be >= 0") }
        fraction(connection.doubleRelease, "connection.doubleRelease")
        fraction(connection.cancelFirstCheck, "connection.cancelFirstCheck")
        if connection.cancelAfter < .zero { add("connection.cancelAfter", "must be >= 0") }

        validate(telemetry.start, at: "telemetry.start", add)
        validate(telemetry.close, at: "telemetry.close", add)
        for (index, slow) in telemetry.slowHosts.enumerated() {
            let path = "telemetry.slowHosts[\(index)]"
            if slow.hosts.isEmpty { add("\(path).hosts", "must name at least one host") }
            if hostsUsable {
                for (hostIndex, host) in slow.hosts.enumerated() { checkHost(host, at: "\(path).hosts[\(hostIndex)]", add) }
            }
            if let start = slow.start { validate(start, at: "\(path).start", add) }
            if let close = slow.close { validate(close, at: "\(path).close", add) }
        }
        fraction(fetcher.crash, "fetcher.crash")
        for (index, number) in fetcher.crashFetches.enumerated() where number <= 0 {
            add("fetcher.crashFetches[\(index)]", "must be > 0 (fetches are numbered from 1)")
        }
        if rounds <= 0 { add("rounds", "must be > 0") }
        if drain < .zero { add("drain", "must be >= 0") }
        Self.validateThresholds(thresholds, add)

        Self.validateServer(server, hosts: hostsUsable ? hosts : nil, kind: .scenario, add)
        return problems
    }

    /// Parses every threshold expression against the run report's ``StormReport/MetricVocabulary``, reporting each
    /// one that cannot be judged at `thresholds.POLICY[INDEX]`, quoting it
    /// (`thresholds.recommended[2]: "answers.wrng == 0": no such report field answers.wrng; did you mean answers.wrong?`).
    ///
    /// Why here and not when judging: a typo, a bad operator or a unit the field cannot have would otherwise
    /// surface only after the load ran, as a failed gate ("not measured in this run").
    static func validateThresholds(_ thresholds: ScenarioThresholds, _ add: (String, String) -> Void) {
        for (policy, list) in [("seed", thresholds.seed), ("recommended", thresholds.recommended), ("all", thresholds.all)] {
            for (index, expression) in list.enumerated() {
                let path = "thresholds.\(policy)[\(index)]"
                if expression.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    add(path, "must not be empty")
                    continue
                }
                do throws(ThresholdSyntaxError) {
                    _ = try ThresholdExpression(expression)
                } catch {
                    add(path, error.message)
                }
            }
        }
    }

    /// Reports a name that is empty or not letters, digits and `-` (it names report files), at `name`.
    static func validateName(_ name: String, _ add: (String, String) -> Void) {
        if name.isEmpty {
            add("name", "must not be empty")
        } else if !name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }) {
            add("name", "must be letters, digits and '-' only, got \"\(name)\"")
        }
    }

    /// Checks a cache configuration's durations, fractions and counts, at the file's paths under `cache.`.
    ///
    /// Why shared: plan files read their cache section as scenarios do, so they check it with the same messages.
    static func validateCache(_ cache: FlagCacheConfiguration, _ add: (String, String) -> Void) {
        func positive(_ duration: Duration, _ path: String) {
            if duration <= .zero { add(path, "must be > 0") }
        }
        positive(cache.ttl, "cache.ttl")
        positive(cache.fetchTimeout, "cache.fetchTimeout")
        if cache.ttlBounds.lowerBound <= .zero { add("cache.ttlBounds", "must start above 0") }
        if !(0..<1).contains(cache.refreshAheadFraction) { add("cache.refreshAhead", "must be within 0..<1, got \(cache.refreshAheadFraction)") }
        positive(cache.backoffBase, "cache.backoffBase")
        if cache.backoffCap < cache.backoffBase { add("cache.backoffCap", "must be >= backoffBase") }
        if cache.sweepThreshold <= 0 { add("cache.sweepThreshold", "must be > 0") }
    }

    /// Checks the host names the server section mentions against `hosts` (skipped when `nil`: the set is unusable),
    /// then runs ``FlagServer/FlagServerConfiguration/validate()`` and reports its problems under `server.`.
    static func validateServer(_ server: FlagServerConfiguration, hosts: ScenarioHosts?, kind: ScenarioError.Kind,
                               _ add: (String, String) -> Void) {
        if let hosts {
            func check(_ host: String, _ path: String) { checkHost(host, in: hosts, at: path, kind: kind, add) }
            for name in server.hosts.keys.sorted() { check(name, "server.hosts[\"\(name)\"]") }
            for (index, fault) in server.faults.enumerated() {
                for host in (fault.hosts ?? []).sorted() { check(host, "server.faults[\(index)]") }
            }
            for (index, outage) in server.outages.enumerated() {
                for host in (outage.hosts ?? []).sorted() { check(host, "server.outages[\(index)].hosts") }
            }
            for (index, flap) in server.flapping.enumerated() {
                for host in (flap.hosts ?? []).sorted() { check(host, "server.flapping[\(index)].hosts") }
            }
        }
        for problem in server.validate() {
            add(filePath(ofServerPath: problem.path), problem.message)
        }
    }

    /// Checks count, pattern and spellings; returns whether host names can be checked against the set.
    static func validateHosts(_ hosts: ScenarioHosts, _ add: (String, String) -> Void) -> Bool {
        var usable = true
        if hosts.count <= 0 { add("hosts.count", "must be > 0"); usable = false }
        let placeholders = hosts.pattern.ranges(of: ScenarioHosts.indexPlaceholder).count
        if placeholders != 1 {
            add("hosts.pattern", "must contain \(ScenarioHosts.indexPlaceholder) exactly once, e.g. \"host-{i}.example.com\"")
            return false
        }
        let first = hosts.name(at: 0)
        let normalized = HostKey(first).normalized
        if first != normalized || first.contains(where: \.isWhitespace) {
            add("hosts.pattern", "must give a plain lower-case host name without scheme, port or path: \"\(first)\" normalises to \"\(normalized)\"")
            return false
        }
        if hosts.spellings.values.contains(where: { !($0 >= 0 && $0.isFinite) }) {
            for spelling in HostSpelling.allCases where !(hosts.spellings[spelling].map { $0 >= 0 && $0.isFinite } ?? true) {
                add("hosts.spellings.\(spelling.rawValue)", "must be a weight >= 0")
            }
        } else if !hosts.spellings.values.contains(where: { $0 > 0 }) {
            add("hosts.spellings", "at least one weight must be > 0")
        }
        for spelling in HostSpelling.allCases where (hosts.spellings[spelling] ?? 0) > 0 {
            let spelled = hosts.spelling(of: 0, choice: spelling)
            let key = HostKey(spelled).normalized
            if key != first {
                add("hosts.spellings.\(spelling.rawValue)", "\"\(spelled)\" normalises to \"\(key)\", not to \"\(first)\"")
            }
        }
        if case .zipf(let exponent) = hosts.skew, !(exponent > 0 && exponent.isFinite) {
            add("hosts.skew", "zipf exponent must be > 0")
        }
        return usable
    }

    /// Reports `host` when it names none of the file's hosts (a typo would otherwise silently never match).
    private func checkHost(_ host: String, at path: String, _ add: (String, String) -> Void) {
        Self.checkHost(host, in: hosts, at: path, kind: .scenario, add)
    }

    /// Reports `host` when it names none of `hosts` (`kind` words the message: "this scenario's hosts").
    static func checkHost(_ host: String, in hosts: ScenarioHosts, at path: String, kind: ScenarioError.Kind,
                          _ add: (String, String) -> Void) {
        guard hosts.index(ofHost: host) == nil else { return }
        add(path, "\"\(host)\" is not one of this \(kind.rawValue)'s hosts (\(hosts.name(at: 0)) … \(hosts.name(at: hosts.count - 1)))")
    }

    private func validate(_ distribution: LatencyDistribution, at path: String, _ add: (String, String) -> Void) {
        // The server's checks cover distributions; run them on a throwaway configuration to reuse their wording.
        let probe = FlagServerConfiguration(latency: distribution)
        for problem in probe.validate() where problem.path.hasPrefix("latency") {
            add(path + problem.path.dropFirst("latency".count), problem.message)
        }
    }

    /// The file's path of a ``FlagServer/FlagServerConfiguration/validate()`` problem path, under `server.`.
    static func filePath(ofServerPath path: String) -> String {
        var path = path
        if path.hasPrefix("defaultHost.") { path.removeFirst("defaultHost.".count) }
        let renames = [
            ("truth.flips", "flips"),
            (".window.start", ".from"),
            (".window.end", ".until"),
            (".retryAfterSeconds", ".retryAfter"),
            ("rateLimits.perHost", "rateLimits(host)"),
            ("rateLimits.global", "rateLimits(global)"),
        ]
        for (model, file) in renames {
            path = path.replacing(model, with: file)
        }
        return "server." + path
    }
}
