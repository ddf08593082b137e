import FeatureFlags
import FlagServer
import Foundation

extension PlanSpec {
    /// The top-level keys of a plan file.
    static let topLevelKeys = [
        "name", "description", "seed", "policy", "duration", "warmup", "window", "headroom",
        "hosts", "fleet", "connections", "deploys", "telemetry", "cache", "server",
    ]
    /// The keys of the `connections` section.
    static let connectionsKeys = ["arrivals", "rate", "dailyCycle", "lifetime"]
    /// The keys of the `fleet` section.
    static let fleetKeys = ["processes"]
    /// The keys of the `telemetry` section.
    static let telemetryKeys = ["exportInterval", "flushOnClose"]

    /// Keys of the sections, for a key written at the top level by mistake (first section wins; top-level names excluded).
    static let sectionOfKey: [String: String] = {
        let sections: [(String, [String])] = [
            ("connections", connectionsKeys), ("fleet", fleetKeys), ("telemetry", telemetryKeys), ("cache", ScenarioSpec.cacheKeys),
            ("hosts", ScenarioSpec.hostsKeys), ("server", ScenarioSpec.serverKeys),
        ]
        var result: [String: String] = [:]
        for (section, keys) in sections {
            for key in keys where result[key] == nil && !topLevelKeys.contains(key) { result[key] = section }
        }
        return result
    }()

    /// Decodes and validates a plan from YAML text, reporting every problem at once.
    ///
    /// Why like ``ScenarioSpec/decode(yaml:file:)``: plan files share the scenario's
    /// `hosts`, `cache` and `server` sections and its reader, so they report problems
    /// the same way: unknown keys with a "did you mean", wrong types, bad spellings,
    /// values out of range (``validate()``), each with its path.
    ///
    /// Two values are filled in from the cache's TTL, because the engine needs them to agree with it:
    /// - the TTL the server advertises (`server.ttlSeconds`, and each `server.hosts` entry's) is
    ///   the cache's TTL in whole seconds (rounded, at least 1) unless the file gives it;
    /// - `cache.ttlBounds`, when the file does not give it, is widened to contain the TTL (the
    ///   default `10s..1h` would otherwise clamp a `2h` TTL); bounds the file gives that exclude
    ///   the TTL are a problem (`cache.ttlBounds: must contain the TTL`), not silently widened.
    ///
    /// - Parameter file: the file name shown in the error (`nil` when the text came from elsewhere).
    /// - Throws: ``ScenarioError`` of kind ``ScenarioError/Kind/plan`` with every problem found.
    public static func decode(yaml: String, file: String?) throws(ScenarioError) -> PlanSpec {
        let (spec, readProblems) = SpecReader.read(yaml: yaml) { PlanSpec.read($0) }
        var problems = readProblems
        // When the document as a whole is unusable (empty, not a mapping), its placeholder is not worth checking.
        if let spec, !readProblems.contains(where: { $0.path.isEmpty }) {
            // A value the reader already reported was replaced by a default; do not report it twice.
            let reported = Set(readProblems.map(\.path))
            for problem in spec.validate() where !reported.contains(problem.path) {
                problems.append(problem)
            }
        }
        guard let spec, problems.isEmpty else { throw ScenarioError(file: file, problems: problems, kind: .plan) }
        return spec
    }

    /// Reads, decodes and validates the plan file at `path`.
    ///
    /// Why it throws ``ScenarioError``: a missing or unreadable plan gets the same
    /// one-line, what-to-do error as a missing scenario (worded for plans).
    /// - Throws: ``ScenarioError`` naming `path`: one problem when the file is
    ///   missing or unreadable, else every problem in it.
    public static func load(contentsOf path: String) throws(ScenarioError) -> PlanSpec {
        let text: String
        switch ScenarioSpec.readText(at: path, kind: .plan) {
        case .success(let contents): text = contents
        case .failure(let error): throw error
        }
        return try decode(yaml: text, file: path)
    }

    /// Reads a plan, substituting defaults for what is missing or wrong (the reader has recorded those).
    static func read(_ root: SpecReader) -> PlanSpec {
        let placeholder = PlanSpec(name: "", description: "")
        guard root.isPresent else {
            root.report("the file is empty: a plan needs at least name, description, duration and connections (rate, lifetime)")
            return placeholder
        }
        guard root.checkKeys(topLevelKeys, elsewhere: sectionOfKey) else { return placeholder }
        let name = root["name"].required("e.g. name: fleet-baseline").string() ?? ""
        let description = root["description"].required("say what the plan models and why").string() ?? ""
        let seed = root["seed"].uint64() ?? 1
        let policies = root["policy"].oneOf("policy", [
            "seed": [FlagCachePolicy.seed], "recommended": [.recommended], "both": [.seed, .recommended],
        ]) ?? [.recommended]
        let duration = root["duration"].required("e.g. duration: 24h").duration() ?? .seconds(86_400)
        let warmup = root["warmup"].duration() ?? .zero
        let window = root["window"].duration() ?? .seconds(60)
        let headroom = readHeadroom(root["headroom"]) ?? 0.2
        let hosts = ScenarioSpec.readHosts(root["hosts"])
        let processes = readFleet(root["fleet"])
        let (arrivals, lifetime) = readConnections(root["connections"])
        let deploys = root["deploys"].elements().compactMap(readDeploy)

        let cacheReader = root["cache"]
        var cache = ScenarioSpec.readCache(cacheReader, seed: seed)
        if !cacheReader["ttlBounds"].isPresent, cache.ttl > .zero {
            cache.ttlBounds = min(cache.ttlBounds.lowerBound, cache.ttl) ... max(cache.ttlBounds.upperBound, cache.ttl)
        }
        let serverReader = root["server"]
        var server = ScenarioSpec.readServer(serverReader, seed: seed)
        let advertised = advertisedSeconds(of: cache.ttl)
        if !serverReader["ttlSeconds"].isPresent { server.defaultHost.ttlSeconds = advertised }
        for name in server.hosts.keys where !serverReader["hosts"][name]["ttlSeconds"].isPresent {
            server.hosts[name]?.ttlSeconds = advertised
        }

        var plan = PlanSpec(name: name, description: description, seed: seed, policies: policies, duration: duration,
                            hosts: hosts, processes: processes, arrivals: arrivals, lifetime: lifetime, deploys: deploys,
                            cache: cache, server: server, headroomMargin: headroom, window: window)
        plan.warmup = warmup
        plan.telemetry = readTelemetry(root["telemetry"])
        return plan
    }

    /// The TTL the server advertises for a cache TTL: whole seconds, rounded, at least 1.
    static func advertisedSeconds(of ttl: Duration) -> Int {
        let seconds = ttl.planSeconds.rounded()
        guard seconds.isFinite else { return 1 }
        return Int(min(max(seconds, 1), Double(Int32.max)))
    }

    /// `headroom`: a fraction (`0.2`) or a percentage (`20%`).
    static func readHeadroom(_ reader: SpecReader) -> Double? {
        reader.scalar(expected: "a fraction such as 0.2 or a percentage such as 20%") { text in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let value: Double?
            if trimmed.hasSuffix("%") {
                value = Double(trimmed.dropLast().trimmingCharacters(in: .whitespaces)).map { $0 / 100 }
            } else {
                value = Double(trimmed)
            }
            return value.flatMap { $0.isFinite ? $0 : nil }
        }
    }

    /// `fleet`: the number of driver processes (default 1).
    /// `telemetry`: the export interval (required when the section is given) and whether a closing client flushes; `nil` when absent.
    static func readTelemetry(_ reader: SpecReader) -> PlanTelemetry? {
        guard reader.isPresent else { return nil }
        guard reader.checkKeys(telemetryKeys) else { return nil }
        let interval = reader["exportInterval"].required("e.g. telemetry: {exportInterval: 1m}").duration()
        let flush = reader["flushOnClose"].bool() ?? true
        return interval.map { PlanTelemetry(exportInterval: $0, flushOnClose: flush) }
    }

    static func readFleet(_ reader: SpecReader) -> Int {
        reader.checkKeys(fleetKeys)
        return reader["processes"].int() ?? 1
    }

    /// `connections`: how they arrive (process, rate, daily cycle) and how long they live.
    static func readConnections(_ reader: SpecReader) -> (PlanArrivals, PlanLifetime) {
        let fallback = (PlanArrivals(ratePerSecond: 1.0 / 60), PlanLifetime.fixed(.seconds(30)))
        let example = "e.g. connections: {rate: 12/1h, lifetime: exponential 5m}"
        reader.required(example)
        guard reader.checkKeys(connectionsKeys) else { return fallback }
        // Inside a missing section, its required keys are not reported again.
        func required(_ key: String, _ hint: String) -> SpecReader {
            reader.isPresent ? reader[key].required(hint) : reader[key]
        }
        let process = reader["arrivals"].oneOf("arrival process", [
            "poisson": PlanArrivals.Process.poisson, "uniform": .uniform,
        ]) ?? .poisson
        let rate = required("rate", "per host and process, e.g. rate: 12/1h").parsed(ScenarioSyntax.parseRate)
        var cycle: PlanDailyCycle?
        let cycleReader = reader["dailyCycle"]
        if cycleReader.isPresent, cycleReader.checkKeys(["trough", "peakAt"]) {
            let hint = "e.g. dailyCycle: {trough: 0.2, peakAt: 14h}"
            let trough = cycleReader["trough"].required(hint).double()
            let peakAt = cycleReader["peakAt"].required(hint).duration()
            if let trough, let peakAt { cycle = PlanDailyCycle(trough: trough, peakAt: peakAt) }
        }
        let lifetime = required("lifetime", "e.g. lifetime: exponential 5m").parsed(parseLifetime)
        let arrivals = PlanArrivals(ratePerSecond: rate?.perSecond ?? fallback.0.ratePerSecond, process: process,
                                    dailyCycle: cycle)
        return (arrivals, lifetime ?? fallback.1)
    }

    /// One `deploys` entry: `{at: 10h, spread: 30s}`.
    static func readDeploy(_ reader: SpecReader) -> PlanDeploy? {
        guard reader.checkKeys(["at", "spread"]) else { return nil }
        let at = reader["at"].required("e.g. {at: 10h, spread: 30s}").duration()
        let spread = reader["spread"].duration() ?? .zero
        guard let at else { return nil }
        return PlanDeploy(at: at, spread: spread)
    }

    /// A connection lifetime: `30s` or `fixed 30s`, `exponential 5m` (the mean), `uniform 1m..10m`.
    ///
    /// Why its own parser rather than ``ScenarioSyntax/parseDistribution(_:)``: a plan's
    /// closed forms need an exponential lifetime (what many independent clients produce),
    /// which latency distributions do not have. Ranges (minimum <= maximum, mean > 0) are
    /// ``validate()``'s, so a plan built in code is checked too.
    /// - Throws: ``FlagServer/FlagServerCommandLineError`` naming the offending token and the expected forms.
    public static func parseLifetime(_ text: String) throws(FlagServerCommandLineError) -> PlanLifetime {
        let forms = "expected \"30s\", \"fixed 30s\", \"exponential 5m\" or \"uniform 1m..10m\""
        let tokens = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = tokens.first else {
            throw FlagServerCommandLineError(token: text, message: "empty lifetime: \(forms)")
        }
        func duration(_ token: String, _ role: String) throws(FlagServerCommandLineError) -> Duration {
            guard let duration = ScenarioSyntax.parseDuration(token) else {
                throw FlagServerCommandLineError(
                    token: token, message: "bad \(role) '\(token)' in lifetime '\(text)': expected a duration such as 30s, 5m, 1h")
            }
            return duration
        }
        func missing(_ what: String, example: String) -> FlagServerCommandLineError {
            FlagServerCommandLineError(token: text, message: "missing \(what) in lifetime '\(text)': expected e.g. \(example)")
        }

        switch first.lowercased() {
        case "fixed":
            guard tokens.count == 2 else { throw missing("one duration", example: "fixed 30s") }
            return .fixed(try duration(tokens[1], "duration"))
        case "exponential":
            guard tokens.count == 2 else { throw missing("one mean duration", example: "exponential 5m") }
            return .exponential(mean: try duration(tokens[1], "mean"))
        case "uniform":
            let range = tokens.dropFirst().joined()
            guard let dots = range.firstRange(of: "..") else { throw missing("a range", example: "uniform 1m..10m") }
            let low = try duration(String(range[..<dots.lowerBound]), "minimum")
            let high = try duration(String(range[dots.upperBound...]), "maximum")
            return .uniform(min: low, max: high)
        default:
            guard tokens.count == 1, let fixed = ScenarioSyntax.parseDuration(first) else {
                throw FlagServerCommandLineError(token: first, message: "unknown lifetime '\(text)': \(forms)")
            }
            return .fixed(fixed)
        }
    }
}
