import FlagServer
import StormEngine
import Testing

@Suite struct ScenarioTelemetryTests {
    let telemetry = ScenarioTelemetry(
        start: .fixed(.milliseconds(1)), close: .zero,
        slowHosts: [SlowTelemetryHosts(hosts: ["host-0.example.com"], start: .fixed(.seconds(2))),
                    SlowTelemetryHosts(hosts: ["host-0.example.com", "host-1.example.com"], close: .fixed(.seconds(3)))])

    @Test func slowHostLatencyAppliesToEverySpellingOfTheHost() {
        #expect(telemetry.startLatency(forHost: "HTTPS://HOST-0.example.com/") == .fixed(.seconds(2)))
        #expect(telemetry.closeLatency(forHost: "host-0.example.com:443") == .fixed(.seconds(3)))
    }

    @Test func otherHostsGetTheScenarioLatency() {
        #expect(telemetry.startLatency(forHost: "host-1.example.com") == .fixed(.milliseconds(1)))
        #expect(telemetry.closeLatency(forHost: "host-1.example.com") == .fixed(.seconds(3)))
        #expect(telemetry.closeLatency(forHost: "host-2.example.com") == .zero)
    }
}
