/// One stage of a ramping arrival: over ``duration`` the rate moves linearly to ``target``.
public struct RampingStage: Sendable, Hashable {
    /// How long the stage lasts (`> 0`).
    public var duration: Duration
    /// The rate reached at the stage's end.
    public var target: ArrivalRate

    /// Creates a stage.
    public init(duration: Duration, target: ArrivalRate) {
        self.duration = duration
        self.target = target
    }
}
