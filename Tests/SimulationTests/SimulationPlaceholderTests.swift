import Simulation
import Testing

@Test func simulationModuleLinks() {
    #expect(String(describing: Simulation.self) == "Simulation")
}
