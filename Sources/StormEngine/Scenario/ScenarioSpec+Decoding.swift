import FeatureFlags
import FlagServer
import Foundation

extension ScenarioSpec {
    /// The top-level keys of a scenario file.
    static let topLevelKeys = [
        "name", "description", "mode", "seed", "policy", "cache", "server", "hosts", "load",
        "connection", "telemetry", "fetcher", "rounds", "drain", "thresholds",
    ]

    /// Decodes and validates a scenario from YAML text, reporting every problem at once.
    ///
    /// - Parameter file: the file name shown in the error (`nil` when the text came from elsewhere).
    /// - Throws: ``ScenarioError`` with every problem found: YAML syntax, unknown
    ///   keys, wrong types, bad spellings, values out of range, and the server
    ///   configuration's own ``FlagServer/FlagServerConfiguration/validate()`` problems (paths under `server.`).
    public static func decode(yaml: String, file: String?) throws(ScenarioError) -> ScenarioSpec {
        let (spec, readProblems) = SpecReader.read(yaml: yaml) { ScenarioSpec.read($0) }
        var problems = readProblems
        // When the document as a whole is unusable (empty, not a mapping), its placeholder is not worth checking.
        if let spec, !readProblems.contains(where: { $0.path.isEmpty }) {
            // A value the reader already reported was replaced by a default; do not report it twice.
            let reported = Set(readProblems.map(\.path))
            for problem in spec.validate() where !reported.contains(problem.path) {
                problems.append(problem)
            }
        }
        guard let spec, problems.isEmpty else {
            let named = spec.map(\.name).flatMap { name in problems.contains { $0.path == "name" } || name.isEmpty ? nil : name }
            throw ScenarioError(file: file, problems: problems, name: named)
        }
        return spec
    }

    /// Reads a scenario, substituting defaults for what is missing or wrong (the reader has recorded those).
    static func read(_ root: SpecReader) -> ScenarioSpec {
        guard root.isPresent else {
            root.report("the file is empty: a scenario needs at least name, description and load")
            return ScenarioSpec(name: "", description: "", load: .burst(connections: 1))
        }
        guard root.checkKeys(Self.topLevelKeys, elsewhere: Self.sectionOfKey) else {
            return ScenarioSpec(name: "", description: "", load: .burst(connections: 1))
        }
        let name = root["name"].required("e.g. name: cold-herd").string() ?? ""
        let description = root["description"].required("say what the scenario shows and why").string() ?? ""
        let mode = root["mode"].oneOf("mode", ["realtime": ScenarioMode.realtime, "simulated": .simulated]) ?? .realtime
        let seed = root["seed"].uint64() ?? 1
        let policies = root["policy"].oneOf("policy", [
            "seed": [FlagCachePolicy.seed], "recommended": [.recommended], "both": [.seed, .recommended],
        ]) ?? [.seed, .recommended]

        return ScenarioSpec(name: name, description: description, mode: mode, seed: seed, policies: policies,
                            cache: Self.readCache(root["cache"], seed: seed),
                            server: Self.readServer(root["server"], seed: seed),
                            hosts: Self.readHosts(root["hosts"]),
                            load: Self.readLoad(root["load"]),
                            connection: Self.readConnection(root["connection"]),
                            telemetry: Self.readTelemetry(root["telemetry"]),
                            fetcher: Self.readFetcher(root["fetcher"]),
                            rounds: root["rounds"].int() ?? 1,
                            drain: root["drain"].duration() ?? .seconds(5),
                            thresholds: Self.readThresholds(root["thresholds"]))
    }

    /// Keys of the sections, for a key written at the top level by mistake (first section wins; top-level names excluded).
    static let sectionOfKey: [String: String] = {
        let sections: [(String, [String])] = [
            ("load", loadKeys), ("cache", cacheKeys), ("connection", connectionKeys), ("telemetry", telemetryKeys),
            ("fetcher", ["crash", "crashFetches"]), ("hosts", hostsKeys), ("server", serverKeys),
        ]
        var result: [String: String] = [:]
        for (section, keys) in sections {
            for key in keys where result[key] == nil && !topLevelKeys.contains(key) { result[key] = section }
        }
        return result
    }()

    static let cacheKeys = ["ttl", "fetchTimeout", "ttlBounds", "refreshAhead", "backoffBase", "backoffCap", "sweepThreshold"]
    static let serverKeys = profileKeys + ["flagName", "faults", "outages", "flapping", "rateLimits", "hosts", "journalEntryLimit"]
    static let hostsKeys = ["count", "pattern", "spellings", "skew"]
    static let connectionKeys = ["lifetime", "checkInterval", "eventsPerCheck", "doubleRelease", "cancelFirstCheck", "cancelAfter"]
    static let telemetryKeys = ["start", "close", "slowHosts"]

    // MARK: - Sections

    static func readCache(_ reader: SpecReader, seed: UInt64) -> FlagCacheConfiguration {
        reader.checkKeys(cacheKeys)
        var cache = FlagCacheConfiguration()
        cache.jitterSeed = seed
        if let ttl = reader["ttl"].duration() { cache.ttl = ttl }
        if let timeout = reader["fetchTimeout"].duration() { cache.fetchTimeout = timeout }
        if let bounds = reader["ttlBounds"].parsed(parseDurationRange) { cache.ttlBounds = bounds }
        if let fraction = reader["refreshAhead"].double() { cache.refreshAheadFraction = fraction }
        if let base = reader["backoffBase"].duration() { cache.backoffBase = base }
        if let cap = reader["backoffCap"].duration() { cache.backoffCap = cap }
        if let threshold = reader["sweepThreshold"].int() { cache.sweepThreshold = threshold }
        return cache
    }

    static let profileKeys = ["flag", "flips", "ttlSeconds", "ttlSpelling", "latency"]
    static let ttlSpellings: KeyValuePairs<String, TTLSpelling> = [
        "ttl_seconds": .snakeCase, "ttlSeconds": .camelCase, "both": .both, "none": .none,
    ]

    static func readServer(_ reader: SpecReader, seed: UInt64) -> FlagServerConfiguration {
        reader.checkKeys(serverKeys)
        var server = FlagServerConfiguration(seed: seed)
        // The top-level `latency` is the server's, used by every host without its own.
        server.defaultHost = readProfile(reader, readingLatency: false)
        server.latency = reader["latency"].parsed(ScenarioSyntax.parseDistribution) ?? .zero
        if let flagName = reader["flagName"].string() { server.flagName = flagName }
        server.journalEntryLimit = reader["journalEntryLimit"].int()

        for (name, profileReader) in reader["hosts"].entries() {
            profileReader.checkKeys(profileKeys)
            server.hosts[name] = readProfile(profileReader, readingLatency: true)
        }
        server.faults = reader["faults"].elements().compactMap { $0.parsed(FlagServerCommandLine.parseFault) }
        server.outages = reader["outages"].elements().compactMap(readOutage)
        server.flapping = reader["flapping"].elements().compactMap(readFlapping)
        var seenScopes: Set<FlagServerRateLimitScope> = []
        for limitReader in reader["rateLimits"].elements() {
            guard let (scope, limit) = limitReader.parsed(FlagServerCommandLine.parseRateLimit) else { continue }
            guard seenScopes.insert(scope).inserted else {
                limitReader.report("a second \(scope.rawValue) limit: give at most one per scope (host, global)")
                continue
            }
            switch scope {
            case .perHost: server.rateLimits.perHost = limit
            case .global: server.rateLimits.global = limit
            }
        }
        return server
    }

    /// A host profile from `flag`, `flips`, `ttlSeconds`, `ttlSpelling`, `latency` (keys checked by the caller).
    static func readProfile(_ reader: SpecReader, readingLatency: Bool) -> FlagHostProfile {
        var profile = FlagHostProfile()
        let flag = reader["flag"].bool() ?? true
        if reader["flips"].isPresent {
            let flips = reader["flips"].elements().compactMap { flipReader -> FlagFlip? in
                flipReader.checkKeys(["at", "value"])
                let at = flipReader["at"].required("e.g. {at: 5s, value: false}").duration()
                let value = flipReader["value"].required("e.g. {at: 5s, value: false}").bool()
                guard let at, let value else { return nil }
                return FlagFlip(at: at, value: value)
            }
            profile.truth = .schedule(initial: flag, flips: flips)
        } else {
            profile.truth = .constant(flag)
        }
        if let ttl = reader["ttlSeconds"].int() { profile.ttlSeconds = ttl }
        if let spelling = reader["ttlSpelling"].oneOf("TTL spelling", ttlSpellings) { profile.ttlSpelling = spelling }
        if readingLatency { profile.latency = reader["latency"].parsed(ScenarioSyntax.parseDistribution) }
        return profile
    }

    /// Far enough in the future to mean "until the run ends" (a window given only `from`).
    static let endOfTime = Duration.seconds(Int64(1) << 40)

    static func readOutage(_ reader: SpecReader) -> FlagServerOutage? {
        guard reader.checkKeys(["from", "until", "status", "retryAfter", "hosts"]) else { return nil }
        let from = reader["from"].duration() ?? .zero
        let until = reader["until"].required("e.g. {from: 10s, until: 40s}").duration()
        let status = reader["status"].int() ?? 503
        let retryAfter = reader["retryAfter"].int()
        let hosts = reader["hosts"].stringList().map(Set.init)
        guard let until else { return nil }
        return FlagServerOutage(window: FlagServerTimeWindow(start: from, end: until), status: status,
                                retryAfterSeconds: retryAfter, hosts: hosts)
    }

    static func readFlapping(_ reader: SpecReader) -> FlagServerFlapping? {
        guard reader.checkKeys(["up", "down", "status", "from", "until", "hosts"]) else { return nil }
        let up = reader["up"].required("e.g. {up: 2s, down: 1s}").duration()
        let down = reader["down"].required("e.g. {up: 2s, down: 1s}").duration()
        let status = reader["status"].int() ?? 503
        let from = reader["from"].duration()
        let until = reader["until"].duration()
        let hosts = reader["hosts"].stringList().map(Set.init)
        guard let up, let down else { return nil }
        var window: FlagServerTimeWindow?
        if from != nil || until != nil {
            window = FlagServerTimeWindow(start: from ?? .zero, end: until ?? endOfTime)
        }
        return FlagServerFlapping(up: up, down: down, status: status, window: window, hosts: hosts)
    }

    static func readHosts(_ reader: SpecReader) -> ScenarioHosts {
        reader.checkKeys(hostsKeys)
        var hosts = ScenarioHosts()
        if let count = reader["count"].int() { hosts.count = count }
        if let pattern = reader["pattern"].string() { hosts.pattern = pattern }
        let spellingsReader = reader["spellings"]
        if spellingsReader.isPresent {
            spellingsReader.checkKeys(HostSpelling.allCases.map(\.rawValue))
            var weights: [HostSpelling: Double] = [:]
            for spelling in HostSpelling.allCases {
                if let weight = spellingsReader[spelling.rawValue].double() { weights[spelling] = weight }
            }
            if !weights.isEmpty { hosts.spellings = weights }
        }
        if let skew = reader["skew"].parsed(ScenarioSyntax.parseSkew) { hosts.skew = skew }
        return hosts
    }

    static let loadKeys = ["executor", "connections", "rate", "startRate", "stages", "duration", "maxConnections"]

    /// The options each executor takes; the rest are reported when given.
    static func loadOptions(of executor: LoadExecutor) -> (required: [String], optional: [String]) {
        switch executor {
        case .burst: (["connections"], [])
        case .constantArrival: (["rate", "duration"], ["maxConnections"])
        case .rampingArrival: (["stages"], ["startRate", "maxConnections"])
        case .constantConnections: (["connections", "duration"], [])
        }
    }

    static func readLoad(_ reader: SpecReader) -> ScenarioLoad {
        let fallback = ScenarioLoad.burst(connections: 1)
        reader.required("e.g. load: {executor: burst, connections: 1000}")
        guard reader.checkKeys(loadKeys) else { return fallback }
        let names = LoadExecutor.allCases.map(\.rawValue).joined(separator: ", ")
        let executorReader = reader["executor"]
        if reader.isPresent { executorReader.required("one of \(names)") }
        let executor = executorReader.oneOf("executor", [
            "burst": LoadExecutor.burst, "constant-arrival": .constantArrival,
            "ramping-arrival": .rampingArrival, "constant-connections": .constantConnections,
        ])
        // Every option is type-checked whatever the executor, so one pass reports everything.
        let connections = reader["connections"].int()
        let rate = reader["rate"].parsed(ScenarioSyntax.parseRate)
        let startRate = reader["startRate"].parsed(ScenarioSyntax.parseRate)
        let duration = reader["duration"].duration()
        let maxConnections = reader["maxConnections"].int()
        let stages = reader["stages"].elements().compactMap { stageReader -> RampingStage? in
            guard stageReader.checkKeys(["duration", "target"]) else { return nil }
            let stageDuration = stageReader["duration"].required("e.g. {duration: 10s, target: 500/s}").duration()
            let target = stageReader["target"].required("e.g. {duration: 10s, target: 500/s}")
                .parsed(ScenarioSyntax.parseRate)
            guard let stageDuration, let target else { return nil }
            return RampingStage(duration: stageDuration, target: target)
        }
        guard let executor else { return fallback }

        let (required, optional) = loadOptions(of: executor)
        for key in loadKeys where key != "executor" && reader[key].isPresent
            && !required.contains(key) && !optional.contains(key) {
            let users = LoadExecutor.allCases.filter {
                let options = loadOptions(of: $0)
                return options.required.contains(key) || options.optional.contains(key)
            }.map(\.rawValue)
            let note = key == "duration" && executor == .rampingArrival
                ? " (its duration is the sum of its stages)" : ""
            reader[key].report("not an option of executor \(executor.rawValue)\(note); it applies to \(users.joined(separator: ", "))")
        }
        for key in required where !reader[key].isPresent {
            reader[key].report("is required by executor \(executor.rawValue)")
        }
        let cap = maxConnections ?? ScenarioLoad.defaultMaxConnections
        switch executor {
        case .burst:
            return .burst(connections: connections ?? 1)
        case .constantArrival:
            return .constantArrival(rate: rate ?? ArrivalRate(count: 1, per: .seconds(1)),
                                    duration: duration ?? .seconds(1), maxConnections: cap)
        case .rampingArrival:
            return .rampingArrival(startRate: startRate ?? ArrivalRate(count: 0, per: .seconds(1)),
                                   stages: stages, maxConnections: cap)
        case .constantConnections:
            return .constantConnections(connections: connections ?? 1, duration: duration ?? .seconds(1))
        }
    }

    static func readConnection(_ reader: SpecReader) -> ScenarioConnection {
        reader.checkKeys(connectionKeys)
        var connection = ScenarioConnection()
        if let lifetime = reader["lifetime"].parsed(ScenarioSyntax.parseDistribution) { connection.lifetime = lifetime }
        if let interval = reader["checkInterval"].duration() { connection.checkInterval = interval }
        if let events = reader["eventsPerCheck"].int() { connection.eventsPerCheck = events }
        if let fraction = reader["doubleRelease"].double() { connection.doubleRelease = fraction }
        if let fraction = reader["cancelFirstCheck"].double() { connection.cancelFirstCheck = fraction }
        if let after = reader["cancelAfter"].duration() { connection.cancelAfter = after }
        return connection
    }

    static func readTelemetry(_ reader: SpecReader) -> ScenarioTelemetry {
        reader.checkKeys(telemetryKeys)
        var telemetry = ScenarioTelemetry()
        if let start = reader["start"].parsed(ScenarioSyntax.parseDistribution) { telemetry.start = start }
        if let close = reader["close"].parsed(ScenarioSyntax.parseDistribution) { telemetry.close = close }
        telemetry.slowHosts = reader["slowHosts"].elements().compactMap { slowReader -> SlowTelemetryHosts? in
            guard slowReader.checkKeys(["hosts", "start", "close"]) else { return nil }
            let hosts = slowReader["hosts"].required("e.g. {hosts: [host-0.example.com], start: 2s}").stringList()
            let start = slowReader["start"].parsed(ScenarioSyntax.parseDistribution)
            let close = slowReader["close"].parsed(ScenarioSyntax.parseDistribution)
            if slowReader.isPresent, !slowReader["start"].isPresent, !slowReader["close"].isPresent {
                slowReader.report("give start, close or both")
            }
            guard let hosts else { return nil }
            return SlowTelemetryHosts(hosts: hosts, start: start, close: close)
        }
        return telemetry
    }

    static func readFetcher(_ reader: SpecReader) -> ScenarioFetcher {
        reader.checkKeys(["crash", "crashFetches"])
        let numbers = reader["crashFetches"].elements().compactMap { $0.int() }
        return ScenarioFetcher(crash: reader["crash"].double() ?? 0, crashFetches: numbers)
    }

    static func readThresholds(_ reader: SpecReader) -> ScenarioThresholds {
        reader.checkKeys(["seed", "recommended", "all"])
        return ScenarioThresholds(seed: reader["seed"].stringList() ?? [],
                                  recommended: reader["recommended"].stringList() ?? [],
                                  all: reader["all"].stringList() ?? [])
    }

    /// `LOW..HIGH`, both durations, e.g. `10s..1h`.
    static func parseDurationRange(_ text: String) throws(FlagServerCommandLineError) -> ClosedRange<Duration> {
        guard let dots = text.firstRange(of: "..") else {
            throw FlagServerCommandLineError(token: text, message: "malformed range '\(text)': expected LOW..HIGH, e.g. 10s..1h")
        }
        let lowText = String(text[..<dots.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
        let highText = String(text[dots.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let low = ScenarioSyntax.parseDuration(lowText) else {
            throw FlagServerCommandLineError(token: lowText, message: "bad duration '\(lowText)' in range '\(text)': expected e.g. 10s")
        }
        guard let high = ScenarioSyntax.parseDuration(highText) else {
            throw FlagServerCommandLineError(token: highText, message: "bad duration '\(highText)' in range '\(text)': expected e.g. 1h")
        }
        guard low <= high else {
            throw FlagServerCommandLineError(token: text, message: "range '\(text)' ends before it starts")
        }
        return low...high
    }
}
