import FeatureFlags
@testable import FlagServer

/// The instant every model in these tests starts at (one second, like `ManualFlagClock`'s default).
let serverStart = FlagInstant(nanoseconds: 1_000_000_000)

/// The instant `elapsed` after ``serverStart``.
func at(_ elapsed: Duration) -> FlagInstant { serverStart + elapsed }

/// A model built from `configuration`, starting at ``serverStart``.
func makeModel(_ configuration: FlagServerConfiguration = FlagServerConfiguration()) -> FlagServerModel {
    FlagServerModel(configuration: configuration, start: serverStart)
}

extension FlagServerDecision {
    /// The response, when the action sends one (directly or as a slow body).
    var response: FlagServerResponse? {
        switch action {
        case .respond(let response), .slowBody(let response, _): response
        case .hang, .reset: nil
        }
    }
}

/// The body the model sends for the default flag name.
func flagBody(_ enabled: Bool, ttlField: String = #","ttl_seconds":900"#) -> String {
    #"{"flags":[{"name":""# + FlagServerConfiguration.defaultFlagName + #"","value":""#
        + (enabled ? "true" : "false") + #""}]"# + ttlField + "}"
}
