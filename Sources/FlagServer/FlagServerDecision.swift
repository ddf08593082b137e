/// What a front end must do with one request: wait ``latency``, then carry out ``action``.
///
/// Why a value: the model decides under its lock and touches no I/O; the
/// NIO front end and the in-memory transport act on the decision afterwards
/// (house style: decide under the lock, act outside it).
public struct FlagServerDecision: Sendable, Hashable {
    /// The action after the latency.
    public enum Action: Sendable, Hashable {
        /// Send this response.
        case respond(FlagServerResponse)
        /// Send nothing and keep the connection open until the client gives up.
        case hang
        /// Reset the connection.
        case reset
        /// Send the response head at once, and the body spread over `duration`.
        case slowBody(FlagServerResponse, duration: Duration)
    }

    /// The request's sequence number in the journal (0-based); pass it to ``FlagServerModel/finish(_:)``.
    public var requestID: Int
    /// How long to wait before acting (zero for a hang, which never acts).
    public var latency: Duration
    /// What to do then.
    public var action: Action

    /// Creates a decision.
    public init(requestID: Int, latency: Duration, action: Action) {
        self.requestID = requestID
        self.latency = latency
        self.action = action
    }
}
