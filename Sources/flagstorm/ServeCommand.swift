import ArgumentParser
import Dispatch
import FeatureFlags
import FlagServer
import Foundation

/// `flagstorm serve`: runs the fake flag server standalone on loopback until
/// SIGINT or SIGTERM, then prints the journal summary and exits 0.
///
/// Any driver (the Go one included) can point at it: requests go to
/// `http://127.0.0.1:PORT/api/2.0/connector-service/feature-flags/{driver}/{version}`
/// with the real host name in `Host`. Bad fault, rate, latency, outage or flap
/// spellings exit 64 naming the token; a port in use exits 70 with a hint.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the fake flag server on 127.0.0.1 until Ctrl-C, then print its journal summary.",
        discussion: """
            Routes by the Host header (port ignored), so one server answers for any number of hosts. \
            Admin surface: GET /_flagstorm/stats, GET /_flagstorm/journal?host=&limit=, \
            GET|PUT /_flagstorm/faults (body: fault spellings as --fault takes them).
            """)

    @Option(help: "Port to listen on; 0 lets the system pick a free one.")
    var port: Int = 0

    @Option(name: .customLong("bind"), help: "Address to listen on.")
    var bindAddress: String = "127.0.0.1"

    @Option(name: .customLong("fault"), help: ArgumentHelp(
        "A fault: KIND[:OPTIONS]@PROBABILITY, e.g. 503@0.2, 429:retry=5@0.1, hang@0.01, reset@0.01, empty@0.05, malformed@0.05, slow-body:2s@0.1 (repeatable).",
        valueName: "spec"))
    var faults: [String] = []

    @Option(name: .customLong("rate-limit"), help: ArgumentHelp(
        "A token bucket: host=REQUESTS/WINDOW[,burst=N] or global=…, e.g. host=100/60s,burst=20 (repeatable; one per scope).",
        valueName: "spec"))
    var rateLimits: [String] = []

    @Option(help: ArgumentHelp(
        "Latency before each answer: 50ms, uniform:1ms..5ms or lognormal:median=2ms,p99=20ms.", valueName: "shape"))
    var latency: String?

    @Option(name: .customLong("ttl-seconds"), help: "TTL advertised in every answer, in seconds.")
    var ttlSeconds: Int = 900

    @Option(name: .customLong("ttl-spelling"), help: "TTL field name: ttl_seconds, ttlSeconds, both or none.")
    var ttlSpelling: String = "ttl_seconds"

    @Option(name: .customLong("outage"), help: ArgumentHelp(
        "Every request fails with STATUS (503) from FROM until UNTIL after start, e.g. 10s..70s:503 (repeatable).",
        valueName: "from..until[:status]"))
    var outages: [String] = []

    @Option(name: .customLong("flap"), help: ArgumentHelp(
        "Alternate UP of service and DOWN of STATUS (503), e.g. 30s/10s (repeatable).", valueName: "up/down[:status]"))
    var flaps: [String] = []

    @Option(help: "Seed of every random choice (faults, latencies).")
    var seed: UInt64 = 1

    @Option(name: .customLong("journal-limit"), help: "Journal entries kept (counters stay exact beyond it); 0 keeps none.")
    var journalLimit: Int = 1_000_000

    @Option(name: .customLong("top"), help: "Hosts listed in the summary on exit.")
    var topHosts: Int = 20

    func validate() throws {
        _ = try makeConfiguration()
    }

    /// The server configuration the options describe, or a `ValidationError` (exit 64) naming the bad token.
    func makeConfiguration() throws -> FlagServerConfiguration {
        guard (0...65_535).contains(port) else {
            throw ValidationError("--port: '\(port)' is not a port; expected 0...65535 (0: any free port)")
        }
        guard ttlSeconds >= 0 else { throw ValidationError("--ttl-seconds: '\(ttlSeconds)' must be >= 0") }
        guard journalLimit >= 0 else { throw ValidationError("--journal-limit: '\(journalLimit)' must be >= 0") }
        func read<T>(_ option: String, _ parse: () throws(FlagServerCommandLineError) -> T) throws -> T {
            do {
                return try parse()
            } catch {
                throw ValidationError("\(option): \(error.message)")
            }
        }
        var configuration = FlagServerConfiguration(seed: seed, journalEntryLimit: journalLimit)
        configuration.defaultHost.ttlSeconds = ttlSeconds
        configuration.defaultHost.ttlSpelling = try read("--ttl-spelling") { () throws(FlagServerCommandLineError) in
            try FlagServerCommandLine.parseTTLSpelling(ttlSpelling)
        }
        if let latency {
            configuration.latency = try read("--latency") { () throws(FlagServerCommandLineError) in
                try FlagServerCommandLine.parseLatency(latency)
            }
        }
        for fault in faults {
            configuration.faults.append(try read("--fault") { () throws(FlagServerCommandLineError) in
                try FlagServerCommandLine.parseFault(fault)
            })
        }
        for text in rateLimits {
            let (scope, limit) = try read("--rate-limit") { () throws(FlagServerCommandLineError) in
                try FlagServerCommandLine.parseRateLimit(text)
            }
            switch scope {
            case .perHost:
                guard configuration.rateLimits.perHost == nil else {
                    throw ValidationError("--rate-limit: a second per-host limit '\(text)'; give one per scope")
                }
                configuration.rateLimits.perHost = limit
            case .global:
                guard configuration.rateLimits.global == nil else {
                    throw ValidationError("--rate-limit: a second global limit '\(text)'; give one per scope")
                }
                configuration.rateLimits.global = limit
            }
        }
        for outage in outages {
            configuration.outages.append(try read("--outage") { () throws(FlagServerCommandLineError) in
                try FlagServerCommandLine.parseOutage(outage)
            })
        }
        for flap in flaps {
            configuration.flapping.append(try read("--flap") { () throws(FlagServerCommandLineError) in
                try FlagServerCommandLine.parseFlapping(flap)
            })
        }
        let problems = configuration.validate()
        guard problems.isEmpty else {
            throw ValidationError(problems.map(\.description).joined(separator: "\n"))
        }
        return configuration
    }

    func run() async throws {
        let configuration = try makeConfiguration()
        let clock = CoarseMonotonicClock()
        let model = FlagServerModel(configuration: configuration, start: clock.now())
        // Ignore the signals before binding, so a Ctrl-C right after the address is printed is not lost.
        let termination = TerminationSignal()
        let server: FlagHTTPServer
        do {
            server = try await FlagHTTPServer.start(model: model, clock: clock, host: bindAddress, port: port)
        } catch let error as FlagHTTPServerError {
            throw ServeError(error.description)
        }
        Self.emit("listening on \(server.baseURL)")

        let signal = await termination.wait()
        try await server.shutdown()
        Self.emit("\nflagstorm serve: stopped by \(signal == SIGINT ? "SIGINT" : "SIGTERM")")
        Self.emit(model.statistics().summaryText(topHosts: topHosts))
    }

    /// Writes a line to standard output at once (unbuffered), so a script waiting for the address sees it.
    private static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// An environment problem `serve` explains in one line (exit 70).
struct ServeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Waits for the first SIGINT or SIGTERM, delivered by dispatch signal sources (no polling).
///
/// Why dispatch: the default action of both signals kills the process before
/// the summary is printed, so they are ignored and read from a source instead.
final class TerminationSignal: @unchecked Sendable {
    // Touched only on `queue`.
    private let queue = DispatchQueue(label: "flagstorm.serve.signals")
    private var sources: [any DispatchSourceSignal] = []
    private var received: Int32?
    private var waiter: CheckedContinuation<Int32, Never>?

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in self.deliver(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Returns the first signal received (at once if one already came).
    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            queue.async {
                if let received = self.received {
                    continuation.resume(returning: received)
                } else {
                    self.waiter = continuation
                }
            }
        }
    }

    private func deliver(_ number: Int32) {
        guard received == nil else { return }
        received = number
        waiter?.resume(returning: number)
        waiter = nil
    }
}
