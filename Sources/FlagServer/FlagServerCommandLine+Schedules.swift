extension FlagServerCommandLine {
    /// The latency shapes, as listed in error messages.
    public static let knownLatencyShapes =
        "a duration such as 50ms, fixed:50ms, uniform:1ms..5ms, lognormal:median=2ms,p99=20ms"

    /// Parses one `--latency` argument.
    ///
    /// - `50ms` or `fixed:50ms`: always that long.
    /// - `uniform:MIN..MAX`: uniform between the two, e.g. `uniform:1ms..5ms`.
    /// - `lognormal:median=D,p99=D` (also `log-normal:`): log-normal by its median and 99th percentile.
    ///
    /// Errors name the token that is wrong, e.g. `bad duration 'fast' for 'median' in latency '…'`.
    public static func parseLatency(_ text: String) throws(FlagServerCommandLineError) -> LatencyDistribution {
        func duration(_ value: String, _ what: String) throws(FlagServerCommandLineError) -> Duration {
            guard let duration = parseDuration(value), duration >= .zero else {
                throw FlagServerCommandLineError(
                    token: value,
                    message: "bad duration '\(value)' for '\(what)' in latency '\(text)': expected e.g. 500us, 2ms, 1s")
            }
            return duration
        }
        guard let colon = text.firstIndex(of: ":") else {
            guard parseDuration(text) != nil else {
                throw FlagServerCommandLineError(
                    token: text, message: "unknown latency '\(text)' (known: \(knownLatencyShapes))")
            }
            return .fixed(try duration(text, "fixed"))
        }
        let shape = text[..<colon].lowercased()
        let rest = String(text[text.index(after: colon)...])
        switch shape {
        case "fixed":
            return .fixed(try duration(rest, "fixed"))
        case "uniform":
            guard let (lowText, highText) = splitRange(rest) else {
                throw FlagServerCommandLineError(
                    token: rest, message: "malformed range '\(rest)' in latency '\(text)': expected MIN..MAX, e.g. 1ms..5ms")
            }
            let low = try duration(lowText, "min")
            let high = try duration(highText, "max")
            guard high >= low else {
                throw FlagServerCommandLineError(
                    token: highText, message: "max '\(highText)' is below min in latency '\(text)'")
            }
            return .uniform(min: low, max: high)
        case "lognormal", "log-normal":
            var median: Duration?
            var p99: Duration?
            for option in rest.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard let equals = option.firstIndex(of: "=") else {
                    throw FlagServerCommandLineError(
                        token: option, message: "malformed option '\(option)' in latency '\(text)': expected median=D,p99=D")
                }
                let key = option[..<equals].lowercased()
                let value = String(option[option.index(after: equals)...])
                switch key {
                case "median": median = try duration(value, "median")
                case "p99": p99 = try duration(value, "p99")
                default:
                    throw FlagServerCommandLineError(
                        token: option, message: "unknown option '\(option)' in latency '\(text)' (known: median, p99)")
                }
            }
            guard let median, median > .zero else {
                throw FlagServerCommandLineError(
                    token: "median", message: "latency '\(text)' needs median=D with D > 0, e.g. lognormal:median=2ms,p99=20ms")
            }
            guard let p99, p99 >= median else {
                throw FlagServerCommandLineError(
                    token: "p99", message: "latency '\(text)' needs p99=D with D >= median, e.g. lognormal:median=2ms,p99=20ms")
            }
            return .logNormal(median: median, p99: p99)
        default:
            throw FlagServerCommandLineError(
                token: String(shape), message: "unknown latency shape '\(shape)' (known: \(knownLatencyShapes)) in '\(text)'")
        }
    }

    /// Parses one `--outage FROM..UNTIL[:STATUS]` argument, e.g. `10s..70s` (503) or `1m..2m:500`.
    ///
    /// Times are measured from the server's start; the status defaults to 503.
    public static func parseOutage(_ text: String) throws(FlagServerCommandLineError) -> FlagServerOutage {
        let (spec, status) = try splitStatus(text, what: "outage")
        guard let (fromText, untilText) = splitRange(spec) else {
            throw FlagServerCommandLineError(
                token: spec, message: "malformed window '\(spec)' in outage '\(text)': expected FROM..UNTIL, e.g. 10s..70s")
        }
        let from = try windowDuration(fromText, "from", in: text, what: "outage")
        let until = try windowDuration(untilText, "until", in: text, what: "outage")
        guard until > from else {
            throw FlagServerCommandLineError(
                token: untilText, message: "'until' (\(untilText)) must be after 'from' (\(fromText)) in outage '\(text)'")
        }
        return FlagServerOutage(window: FlagServerTimeWindow(start: from, end: until), status: status)
    }

    /// Parses one `--flap UP/DOWN[:STATUS]` argument, e.g. `30s/10s` (503) or `5s/5s:500`.
    ///
    /// The server answers normally for `UP`, then with the status for `DOWN`, repeating from its start.
    public static func parseFlapping(_ text: String) throws(FlagServerCommandLineError) -> FlagServerFlapping {
        let (spec, status) = try splitStatus(text, what: "flap")
        guard let slash = spec.firstIndex(of: "/") else {
            throw FlagServerCommandLineError(
                token: spec, message: "malformed periods '\(spec)' in flap '\(text)': expected UP/DOWN, e.g. 30s/10s")
        }
        let upText = String(spec[..<slash])
        let downText = String(spec[spec.index(after: slash)...])
        let up = try windowDuration(upText, "up", in: text, what: "flap")
        let down = try windowDuration(downText, "down", in: text, what: "flap")
        guard up > .zero else {
            throw FlagServerCommandLineError(token: upText, message: "'up' must be > 0 in flap '\(text)'")
        }
        guard down > .zero else {
            throw FlagServerCommandLineError(token: downText, message: "'down' must be > 0 in flap '\(text)'")
        }
        return FlagServerFlapping(up: up, down: down, status: status)
    }

    /// Parses `--ttl-spelling`: `ttl_seconds`, `ttlSeconds`, `both` or `none`.
    public static func parseTTLSpelling(_ text: String) throws(FlagServerCommandLineError) -> TTLSpelling {
        switch text {
        case "ttl_seconds", "snake", "snakeCase": return .snakeCase
        case "ttlSeconds", "camel", "camelCase": return .camelCase
        case "both": return .both
        case "none": return .none
        default:
            throw FlagServerCommandLineError(
                token: text, message: "unknown TTL spelling '\(text)' (known: ttl_seconds, ttlSeconds, both, none)")
        }
    }

    /// Splits `A..B` at the first `..`.
    private static func splitRange(_ text: String) -> (String, String)? {
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == ".", next < text.endIndex, text[next] == "." {
                return (String(text[..<index]), String(text[text.index(after: next)...]))
            }
            index = next
        }
        return nil
    }

    /// Splits `SPEC[:STATUS]`; the status defaults to 503.
    private static func splitStatus(
        _ text: String, what: String
    ) throws(FlagServerCommandLineError) -> (spec: String, status: Int) {
        guard let colon = text.lastIndex(of: ":") else { return (text, 503) }
        let statusText = String(text[text.index(after: colon)...])
        guard let status = Int(statusText), (100...599).contains(status), status != 200 else {
            throw FlagServerCommandLineError(
                token: statusText,
                message: "bad status '\(statusText)' in \(what) '\(text)': expected an HTTP status within 100...599 other than 200")
        }
        return (String(text[..<colon]), status)
    }

    private static func windowDuration(
        _ value: String, _ name: String, in text: String, what: String
    ) throws(FlagServerCommandLineError) -> Duration {
        guard let duration = parseDuration(value), duration >= .zero else {
            throw FlagServerCommandLineError(
                token: value, message: "bad duration '\(value)' for '\(name)' in \(what) '\(text)': expected e.g. 500ms, 10s, 2m")
        }
        return duration
    }
}
