import FlagServer
import StormEngine
import Testing

@Suite struct SpecReaderTests {
    @Test func suggestionIsTheClosestKnownNameWithinTwoEdits() {
        #expect(SpecReader.suggestion(for: "conections", among: ["connections", "duration"]) == "connections")
        #expect(SpecReader.suggestion(for: "TTL", among: ["ttl", "fetchTimeout"]) == "ttl")
        #expect(SpecReader.suggestion(for: "explode", among: ["crash"]) == nil)
    }

    @Test func readerTracksPathsThroughMappingsAndLists() {
        let (value, problems) = SpecReader.read(yaml: "plan:\n  steps: [{at: 1s}, {at: never}]\n") { root in
            root["plan"]["steps"].elements().map { $0["at"].duration() }
        }
        #expect(value == [.seconds(1), nil])
        #expect(problems == [ConfigurationProblem(
            path: "plan.steps[1].at", message: "expected a duration such as 500ms, 2s or 1m, got \"never\"")])
    }

    @Test func explicitNullIsReportedForAScalar() {
        let (_, problems) = SpecReader.read(yaml: "count:\n") { $0["count"].int() }
        #expect(problems.map(\.description) == ["count: expected an integer, got nothing (give a value or leave the key out)"])
    }
}
