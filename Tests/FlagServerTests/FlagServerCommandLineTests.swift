import FeatureFlags
import FlagServer
import Testing

@Suite struct FlagServerCommandLineTests {
    @Test func faultSpellingsParse() throws {
        #expect(try FlagServerCommandLine.parseFault("503@0.2") == FlagServerFault(.status(503), probability: 0.2))
        #expect(try FlagServerCommandLine.parseFault("429:retry=5@0.1")
            == FlagServerFault(.status(429, retryAfterSeconds: 5), probability: 0.1))
        #expect(try FlagServerCommandLine.parseFault("hang@0.01") == FlagServerFault(.hang, probability: 0.01))
        #expect(try FlagServerCommandLine.parseFault("reset@1") == FlagServerFault(.reset, probability: 1))
        #expect(try FlagServerCommandLine.parseFault("empty@0.5") == FlagServerFault(.emptyBody, probability: 0.5))
        #expect(try FlagServerCommandLine.parseFault("Malformed@0.5") == FlagServerFault(.malformedJSON, probability: 0.5))
        #expect(try FlagServerCommandLine.parseFault("slow-body:2s@0.1")
            == FlagServerFault(.slowBody(.seconds(2)), probability: 0.1))
        #expect(try FlagServerCommandLine.parseFault("slow-body:duration=1500ms@0.1")
            == FlagServerFault(.slowBody(.milliseconds(1_500)), probability: 0.1))
        #expect(try FlagServerCommandLine.parseFault("reset:from=10s,until=70s,host=a.example,host=b.example@0.5")
            == FlagServerFault(.reset, probability: 0.5,
                               window: FlagServerTimeWindow(start: .seconds(10), end: .seconds(70)),
                               hosts: ["a.example", "b.example"]))
        let openEnded = try FlagServerCommandLine.parseFault("500:from=1m@0.3")
        #expect(openEnded.window?.start == .seconds(60))
        #expect(openEnded.window?.contains(.seconds(86_400 * 365)) == true)
    }

    @Test func badFaultSpellingsNameTheToken() {
        let cases: [(String, String, String)] = [
            ("teapot@0.1", "teapot",
             "unknown fault kind 'teapot' (known: an HTTP status such as 500, 503 or 429, hang, reset, empty, malformed, slow-body) in fault 'teapot@0.1'"),
            ("503", "503", "missing probability in fault '503': expected KIND[:OPTIONS]@PROBABILITY, e.g. 503@0.2"),
            ("503@1.5", "1.5", "bad probability '1.5' in fault '503@1.5': expected a number within 0...1"),
            ("503@often", "often", "bad probability 'often' in fault '503@often': expected a number within 0...1"),
            ("999@0.1", "999", "bad status '999' in fault '999@0.1': expected an HTTP status within 100...599 other than 200"),
            ("200@0.1", "200", "bad status '200' in fault '200@0.1': expected an HTTP status within 100...599 other than 200"),
            ("hang:retry=5@0.1", "retry=5", "option 'retry' in fault 'hang:retry=5@0.1' applies only to an HTTP status"),
            ("429:retry=soon@0.1", "soon", "bad retry 'soon' in fault '429:retry=soon@0.1': expected whole seconds >= 0"),
            ("503:colour=red@0.1", "colour=red",
             "unknown option 'colour=red' in fault '503:colour=red@0.1' (known: retry, duration, from, until, host)"),
            ("slow-body@0.1", "slow-body", "slow-body in fault 'slow-body@0.1' needs a duration > 0, e.g. slow-body:2s@0.1"),
            ("503:from=ten@0.1", "ten", "bad duration 'ten' for 'from' in fault '503:from=ten@0.1': expected e.g. 500ms, 10s, 2m, 1h"),
            ("503:from=10s,until=5s@0.1", "until", "'until' must be after 'from' in fault '503:from=10s,until=5s@0.1'"),
        ]
        for (text, token, message) in cases {
            do {
                let fault = try FlagServerCommandLine.parseFault(text)
                Issue.record("'\(text)' parsed as \(fault)")
            } catch {
                #expect(error.token == token, "\(text)")
                #expect(error.message == message, "\(text)")
                #expect(error.description == message)
            }
        }
    }

    @Test func rateLimitSpellingsParse() throws {
        let perHost = try FlagServerCommandLine.parseRateLimit("host=100/60s,burst=20")
        #expect(perHost.scope == .perHost)
        #expect(perHost.limit == FlagServerRateLimit(requests: 100, per: .seconds(60), burst: 20))
        let global = try FlagServerCommandLine.parseRateLimit("global=1000/s")
        #expect(global.scope == .global)
        #expect(global.limit == FlagServerRateLimit(requests: 1_000, per: .seconds(1), burst: 1_000))
        #expect(try FlagServerCommandLine.parseRateLimit("host=5/1m").limit.window == .seconds(60))
        #expect(try FlagServerCommandLine.parseRateLimit("host=5/min").limit.window == .seconds(60))
    }

    @Test func badRateLimitSpellingsNameTheToken() {
        let cases: [(String, String, String)] = [
            ("100/60s", "100/60s",
             "malformed rate '100/60s': expected SCOPE=REQUESTS/WINDOW[,burst=N], e.g. host=100/60s,burst=20"),
            ("planet=1/s", "planet", "unknown rate-limit scope 'planet' in 'planet=1/s' (known: host, global)"),
            ("host=100", "100", "malformed rate '100' in 'host=100': expected REQUESTS/WINDOW, e.g. 100/60s"),
            ("host=lots/60s", "lots", "bad request count 'lots' in rate 'host=lots/60s': expected a whole number > 0"),
            ("host=0/60s", "0", "bad request count '0' in rate 'host=0/60s': expected a whole number > 0"),
            ("host=100/xx", "xx", "bad window 'xx' in rate 'host=100/xx': expected a duration > 0 such as 60s, 1m, 500ms"),
            ("host=100/60", "60", "bad window '60' in rate 'host=100/60': expected a duration > 0 such as 60s, 1m, 500ms"),
            ("host=100/60s,burst=0", "0", "bad burst '0' in rate 'host=100/60s,burst=0': expected a whole number > 0"),
            ("host=100/60s,bursts=3", "bursts=3", "unknown option 'bursts=3' in rate 'host=100/60s,bursts=3' (known: burst)"),
        ]
        for (text, token, message) in cases {
            do {
                let parsed = try FlagServerCommandLine.parseRateLimit(text)
                Issue.record("'\(text)' parsed as \(parsed)")
            } catch {
                #expect(error.token == token, "\(text)")
                #expect(error.message == message, "\(text)")
            }
        }
    }

    @Test func durationsNeedANumberAndAUnit() {
        #expect(FlagServerCommandLine.parseDuration("500ms") == .milliseconds(500))
        #expect(FlagServerCommandLine.parseDuration("1.5s") == .milliseconds(1_500))
        #expect(FlagServerCommandLine.parseDuration("2m") == .seconds(120))
        #expect(FlagServerCommandLine.parseDuration("1h") == .seconds(3_600))
        #expect(FlagServerCommandLine.parseDuration("250us") == .microseconds(250))
        #expect(FlagServerCommandLine.parseDuration("10") == nil)
        #expect(FlagServerCommandLine.parseDuration("s") == nil)
        #expect(FlagServerCommandLine.parseDuration("5 parsecs") == nil)
    }
}
