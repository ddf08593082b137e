import FeatureFlags
import FlagServer
import Testing

/// `--latency`, `--outage`, `--flap`, `--ttl-spelling`, and spelling faults back.
@Suite struct FlagServerCommandLineScheduleTests {
    @Test func latencySpellingsParse() throws {
        #expect(try FlagServerCommandLine.parseLatency("50ms") == .fixed(.milliseconds(50)))
        #expect(try FlagServerCommandLine.parseLatency("fixed:1s") == .fixed(.seconds(1)))
        #expect(try FlagServerCommandLine.parseLatency("uniform:1ms..5ms")
            == .uniform(min: .milliseconds(1), max: .milliseconds(5)))
        #expect(try FlagServerCommandLine.parseLatency("lognormal:median=2ms,p99=20ms")
            == .logNormal(median: .milliseconds(2), p99: .milliseconds(20)))
        #expect(try FlagServerCommandLine.parseLatency("log-normal:p99=1s,median=100ms")
            == .logNormal(median: .milliseconds(100), p99: .seconds(1)))
    }

    @Test func badLatencySpellingsNameTheToken() {
        let cases: [(String, String)] = [
            ("fast", "fast"),
            ("gaussian:1ms", "gaussian"),
            ("uniform:1ms-5ms", "1ms-5ms"),
            ("uniform:5ms..1ms", "1ms"),
            ("uniform:1ms..soon", "soon"),
            ("lognormal:median=2ms", "p99"),
            ("lognormal:median=2ms,p99=1ms", "p99"),
            ("lognormal:median=2ms,p50=1ms", "p50=1ms"),
            ("lognormal:median=quick,p99=1s", "quick"),
        ]
        for (text, token) in cases {
            #expect(throws: FlagServerCommandLineError.self, "\(text)") {
                try FlagServerCommandLine.parseLatency(text)
            }
            do {
                _ = try FlagServerCommandLine.parseLatency(text)
            } catch {
                #expect(error.token == token, "\(text)")
                #expect(error.message.contains("'\(token)'") || error.message.contains(token), "\(error.message)")
            }
        }
    }

    @Test func outageAndFlapSpellingsParse() throws {
        #expect(try FlagServerCommandLine.parseOutage("10s..70s")
            == FlagServerOutage(window: FlagServerTimeWindow(start: .seconds(10), end: .seconds(70))))
        #expect(try FlagServerCommandLine.parseOutage("1m..2m:500")
            == FlagServerOutage(window: FlagServerTimeWindow(start: .seconds(60), end: .seconds(120)), status: 500))
        #expect(try FlagServerCommandLine.parseFlapping("30s/10s") == FlagServerFlapping(up: .seconds(30), down: .seconds(10)))
        #expect(try FlagServerCommandLine.parseFlapping("5s/500ms:429")
            == FlagServerFlapping(up: .seconds(5), down: .milliseconds(500), status: 429))
    }

    @Test func badOutageAndFlapSpellingsNameTheToken() {
        let outages: [(String, String)] = [("10s-70s", "10s-70s"), ("70s..10s", "10s"), ("10s..1m:teapot", "teapot"),
                                           ("soon..1m", "soon")]
        for (text, token) in outages {
            do {
                _ = try FlagServerCommandLine.parseOutage(text)
                Issue.record("\(text) parsed")
            } catch {
                #expect(error.token == token, "\(text): \(error.message)")
            }
        }
        let flaps: [(String, String)] = [("30s", "30s"), ("0s/1s", "0s"), ("1s/x", "x"), ("1s/1s:200", "200")]
        for (text, token) in flaps {
            do {
                _ = try FlagServerCommandLine.parseFlapping(text)
                Issue.record("\(text) parsed")
            } catch {
                #expect(error.token == token, "\(text): \(error.message)")
            }
        }
    }

    @Test func ttlSpellingsParse() throws {
        #expect(try FlagServerCommandLine.parseTTLSpelling("ttl_seconds") == .snakeCase)
        #expect(try FlagServerCommandLine.parseTTLSpelling("ttlSeconds") == .camelCase)
        #expect(try FlagServerCommandLine.parseTTLSpelling("both") == .both)
        #expect(throws: FlagServerCommandLineError(
            token: "ttl", message: "unknown TTL spelling 'ttl' (known: ttl_seconds, ttlSeconds, both, none)")) {
            try FlagServerCommandLine.parseTTLSpelling("ttl")
        }
    }

    @Test func faultSpellingsReadBackToTheSameFault() throws {
        for text in ["503@0.2", "429:retry=5@0.1", "hang@0.01", "reset:from=10s,until=70s,host=a.example@0.5",
                     "empty@1.0", "malformed@0.5", "slow-body:duration=1500ms@0.1", "500:from=1m@0.3"] {
            let fault = try FlagServerCommandLine.parseFault(text)
            let spelled = FlagServerCommandLine.spelling(of: fault)
            #expect(try FlagServerCommandLine.parseFault(spelled) == fault, "\(text) → \(spelled)")
        }
        #expect(FlagServerCommandLine.spelling(of: .milliseconds(1_500)) == "1500ms")
        #expect(FlagServerCommandLine.spelling(of: .seconds(120)) == "2m")
    }
}
