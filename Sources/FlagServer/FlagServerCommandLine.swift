/// A command-line spelling that could not be read, naming the offending token.
///
/// Why the token: `flagstorm serve --fault 503@0.2 --fault teapot@0.1` must say
/// which of the arguments is wrong and what would have been accepted.
public struct FlagServerCommandLineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The part of the argument that is wrong (the whole argument when nothing narrower applies).
    public var token: String
    /// The full explanation, naming ``token`` and the argument.
    public var message: String

    /// Creates an error.
    public init(token: String, message: String) {
        self.token = token
        self.message = message
    }

    /// The explanation.
    public var description: String { message }
}

/// Which bucket a `--rate-limit` argument configures.
public enum FlagServerRateLimitScope: String, Sendable, Hashable, CaseIterable {
    /// One bucket per host (`host=…`).
    case perHost = "host"
    /// One bucket for all hosts (`global=…`).
    case global
}

/// Parsers for the command-line spellings of faults, rate limits and durations.
///
/// Why here and not in `flagstorm`: scenario files and the command line share
/// these spellings, and the server's tests check them without a process.
///
/// - Fault: `KIND[:OPTION,…]@PROBABILITY`, e.g. `503@0.2`, `429:retry=5@0.1`,
///   `slow-body:2s@0.05`, `reset:from=10s,until=70s,host=a.example@0.5`.
///   Kinds: an HTTP status, `hang`, `reset`, `empty`, `malformed`, `slow-body`.
///   Options: `retry=SECONDS` (statuses), `duration=DURATION` or a bare duration
///   (slow-body), `from=DURATION`, `until=DURATION`, `host=NAME` (repeatable).
/// - Rate limit: `SCOPE=REQUESTS/WINDOW[,burst=N]`, e.g. `host=100/60s,burst=20`,
///   `global=1000/s`. Scopes: `host`, `global`.
/// - Duration: a number and a unit (`ns`, `us`, `ms`, `s`, `m`, `min`, `h`), e.g. `500ms`, `1.5s`, `2m`.
public enum FlagServerCommandLine {
    /// The fault kinds, as listed in error messages.
    public static let knownFaultKinds = "an HTTP status such as 500, 503 or 429, hang, reset, empty, malformed, slow-body"

    /// The end of a fault window given only `from=`: far enough to mean "until the run ends".
    static let endOfTime = Duration.seconds(Int64(1) << 40)

    /// Parses one `--fault` argument (see the type's documentation for the grammar).
    public static func parseFault(_ text: String) throws(FlagServerCommandLineError) -> FlagServerFault {
        guard let at = text.lastIndex(of: "@") else {
            throw FlagServerCommandLineError(
                token: text,
                message: "missing probability in fault '\(text)': expected KIND[:OPTIONS]@PROBABILITY, e.g. 503@0.2")
        }
        let spec = text[..<at]
        let probabilityText = String(text[text.index(after: at)...])
        guard let probability = Double(probabilityText), (0...1).contains(probability) else {
            throw FlagServerCommandLineError(
                token: probabilityText,
                message: "bad probability '\(probabilityText)' in fault '\(text)': expected a number within 0...1")
        }
        let kindText: String
        let optionTexts: [Substring]
        if let colon = spec.firstIndex(of: ":") {
            kindText = String(spec[..<colon])
            optionTexts = spec[spec.index(after: colon)...].split(separator: ",", omittingEmptySubsequences: false)
        } else {
            kindText = String(spec)
            optionTexts = []
        }

        enum Kind { case status(Int), hang, reset, empty, malformed, slowBody }
        let kind: Kind
        switch kindText.lowercased() {
        case "hang": kind = .hang
        case "reset": kind = .reset
        case "empty", "empty-body": kind = .empty
        case "malformed", "malformed-json": kind = .malformed
        case "slow-body", "slow": kind = .slowBody
        case let digits where !digits.isEmpty && digits.allSatisfy(\.isASCIIDigit):
            guard let status = Int(digits), (100...599).contains(status), status != 200 else {
                throw FlagServerCommandLineError(
                    token: kindText,
                    message: "bad status '\(kindText)' in fault '\(text)': expected an HTTP status within 100...599 other than 200")
            }
            kind = .status(status)
        default:
            throw FlagServerCommandLineError(
                token: kindText,
                message: "unknown fault kind '\(kindText)' (known: \(knownFaultKinds)) in fault '\(text)'")
        }

        var retryAfter: Int?
        var slowDuration: Duration?
        var from: Duration?
        var until: Duration?
        var hosts: Set<String>?
        for optionText in optionTexts {
            let option = String(optionText)
            let key: String
            let value: String
            if let equals = option.firstIndex(of: "=") {
                key = option[..<equals].lowercased()
                value = String(option[option.index(after: equals)...])
            } else if case .slowBody = kind {
                key = "duration"
                value = option
            } else {
                key = option
                value = ""
            }
            func duration() throws(FlagServerCommandLineError) -> Duration {
                guard let duration = parseDuration(value), duration >= .zero else {
                    throw FlagServerCommandLineError(
                        token: value,
                        message: "bad duration '\(value)' for '\(key)' in fault '\(text)': expected e.g. 500ms, 10s, 2m, 1h")
                }
                return duration
            }
            switch key {
            case "retry":
                guard case .status = kind else {
                    throw FlagServerCommandLineError(
                        token: option, message: "option '\(key)' in fault '\(text)' applies only to an HTTP status")
                }
                guard let seconds = Int(value), seconds >= 0 else {
                    throw FlagServerCommandLineError(
                        token: value, message: "bad retry '\(value)' in fault '\(text)': expected whole seconds >= 0")
                }
                retryAfter = seconds
            case "duration":
                guard case .slowBody = kind else {
                    throw FlagServerCommandLineError(
                        token: option, message: "option '\(key)' in fault '\(text)' applies only to slow-body")
                }
                slowDuration = try duration()
            case "from":
                from = try duration()
            case "until":
                until = try duration()
            case "host":
                guard !value.isEmpty else {
                    throw FlagServerCommandLineError(token: option, message: "empty host in fault '\(text)'")
                }
                hosts = (hosts ?? []).union([value])
            default:
                throw FlagServerCommandLineError(
                    token: option,
                    message: "unknown option '\(option)' in fault '\(text)' (known: retry, duration, from, until, host)")
            }
        }

        let faultKind: FlagServerFaultKind
        switch kind {
        case .status(let status): faultKind = .status(status, retryAfterSeconds: retryAfter)
        case .hang: faultKind = .hang
        case .reset: faultKind = .reset
        case .empty: faultKind = .emptyBody
        case .malformed: faultKind = .malformedJSON
        case .slowBody:
            guard let slowDuration, slowDuration > .zero else {
                throw FlagServerCommandLineError(
                    token: kindText,
                    message: "slow-body in fault '\(text)' needs a duration > 0, e.g. slow-body:2s@0.1")
            }
            faultKind = .slowBody(slowDuration)
        }
        var window: FlagServerTimeWindow?
        if from != nil || until != nil {
            let start = from ?? .zero
            let end = until ?? endOfTime
            guard end > start else {
                throw FlagServerCommandLineError(
                    token: "until", message: "'until' must be after 'from' in fault '\(text)'")
            }
            window = FlagServerTimeWindow(start: start, end: end)
        }
        return FlagServerFault(faultKind, probability: probability, window: window, hosts: hosts)
    }

    /// Parses one `--rate-limit` argument (see the type's documentation for the grammar).
    public static func parseRateLimit(
        _ text: String
    ) throws(FlagServerCommandLineError) -> (scope: FlagServerRateLimitScope, limit: FlagServerRateLimit) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let head = parts[0]
        guard let equals = head.firstIndex(of: "=") else {
            throw FlagServerCommandLineError(
                token: text,
                message: "malformed rate '\(text)': expected SCOPE=REQUESTS/WINDOW[,burst=N], e.g. host=100/60s,burst=20")
        }
        let scopeText = String(head[..<equals])
        let rateText = String(head[head.index(after: equals)...])
        let scope: FlagServerRateLimitScope
        switch scopeText.lowercased() {
        case "host", "per-host": scope = .perHost
        case "global": scope = .global
        default:
            throw FlagServerCommandLineError(
                token: scopeText, message: "unknown rate-limit scope '\(scopeText)' in '\(text)' (known: host, global)")
        }
        guard let slash = rateText.firstIndex(of: "/") else {
            throw FlagServerCommandLineError(
                token: rateText,
                message: "malformed rate '\(rateText)' in '\(text)': expected REQUESTS/WINDOW, e.g. 100/60s")
        }
        let requestsText = String(rateText[..<slash])
        var windowText = String(rateText[rateText.index(after: slash)...])
        guard let requests = Int(requestsText), requests > 0 else {
            throw FlagServerCommandLineError(
                token: requestsText,
                message: "bad request count '\(requestsText)' in rate '\(text)': expected a whole number > 0")
        }
        // `100/s` and `100/min` mean one unit.
        if let first = windowText.first, !first.isASCIIDigit, first != "." { windowText = "1" + windowText }
        let shownWindow = String(rateText[rateText.index(after: slash)...])
        guard let window = parseDuration(windowText), window > .zero else {
            throw FlagServerCommandLineError(
                token: shownWindow,
                message: "bad window '\(shownWindow)' in rate '\(text)': expected a duration > 0 such as 60s, 1m, 500ms")
        }
        var burst: Int?
        for option in parts.dropFirst() {
            guard option.lowercased().hasPrefix("burst=") else {
                throw FlagServerCommandLineError(
                    token: option, message: "unknown option '\(option)' in rate '\(text)' (known: burst)")
            }
            let value = String(option.dropFirst("burst=".count))
            guard let count = Int(value), count > 0 else {
                throw FlagServerCommandLineError(
                    token: value, message: "bad burst '\(value)' in rate '\(text)': expected a whole number > 0")
            }
            burst = count
        }
        return (scope, FlagServerRateLimit(requests: requests, per: window, burst: burst))
    }

    /// Parses a duration such as `500ms`, `1.5s`, `2m`, `1h`; `nil` when it is not one (a bare number has no unit and is not).
    public static func parseDuration(_ text: String) -> Duration? {
        guard let unitStart = text.firstIndex(where: { !$0.isASCIIDigit && $0 != "." }) else { return nil }
        let number = text[..<unitStart]
        let unit = text[unitStart...].lowercased()
        let nanosecondsPerUnit: Int64
        switch unit {
        case "ns": nanosecondsPerUnit = 1
        case "us", "µs": nanosecondsPerUnit = 1_000
        case "ms": nanosecondsPerUnit = 1_000_000
        case "s": nanosecondsPerUnit = 1_000_000_000
        case "m", "min": nanosecondsPerUnit = 60_000_000_000
        case "h": nanosecondsPerUnit = 3_600_000_000_000
        default: return nil
        }
        if let whole = Int64(number) {
            let (product, overflow) = whole.multipliedReportingOverflow(by: nanosecondsPerUnit)
            return overflow ? nil : .nanoseconds(product)
        }
        guard let value = Double(number), value.isFinite else { return nil }
        let nanoseconds = value * Double(nanosecondsPerUnit)
        guard nanoseconds < 9.2e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds.rounded()))
    }
}

extension Character {
    /// Whether this is one of `0`…`9` (not any Unicode digit).
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
