import Foundation
import Testing

/// Every command hunt prints to reproduce a finding reproduces it when run verbatim.
@Suite struct HuntCommandTests {
    @Test func thePlantedRacesReproduceLineReproducesIt() throws {
        let hunt = try FlagStormProcess.run(["hunt", "Scenarios/hunt/planted-race.yaml", "--planted-race", "--seeds", "1"])
        #expect(hunt.status == 1)
        let line = try #require(hunt.output.split(separator: "\n").first { $0.contains("reproduce with: ") })
        let command = String(try #require(line.components(separatedBy: "reproduce with: ").last))
        #expect(command.hasPrefix("flagstorm hunt Scenarios/hunt/planted-race.yaml "))
        #expect(command.contains("--planted-race"))
        // Run exactly the printed words (none needs quoting here), the binary standing in for `flagstorm`.
        let words = command.split(separator: " ").map(String.init)
        let replay = try FlagStormProcess.run(Array(words.dropFirst()))
        #expect(replay.status == 1)
        #expect(replay.output.contains("noClientClosedWhileInUse"))
    }
}
