import FeatureFlagsHTTP

/// A request as the loopback server saw it.
struct RecordedRequest: Sendable, Hashable {
    /// Which connection carried it (numbered from 1 in accept order).
    var connection: Int
    var method: String
    var path: String
    var host: String?
    var userAgent: String?
}

/// What the loopback server does with one request.
indirect enum ScriptedReply: Sendable {
    /// Answers with this status, headers and body (`Content-Length` is added).
    case respond(status: Int, headers: [String: String], body: String)
    /// Reads the request and never answers.
    case neverAnswer
    /// Sends the response head promising a body, then never sends it.
    case headThenStall(status: Int)
    /// Closes the connection without answering.
    case closeConnection
    /// Holds the reply until the test opens `gate`.
    case after(ReplyGate, ScriptedReply)

    /// A 200 whose body sets the default flag to `value`, with optional extra JSON members.
    static func flag(_ value: String, extra: String = "") -> ScriptedReply {
        let members = extra.isEmpty ? "" : ", " + extra
        return .respond(status: 200, headers: ["Content-Type": "application/json"], body: """
            {"flags":[{"name":"\(HTTPFlagFetcherConfiguration.defaultFlagName)","value":"\(value)"}]\(members)}
            """)
    }

    /// A 200 with `body` as JSON.
    static func json(_ body: String) -> ScriptedReply {
        .respond(status: 200, headers: ["Content-Type": "application/json"], body: body)
    }
}
