extension FlagServerCommandLine {
    /// The `--fault` spelling of `fault`, which ``parseFault(_:)`` reads back to the same value.
    ///
    /// Why: `GET /_flagstorm/faults` shows the plan in force in the same words
    /// `PUT` accepts, so an operator can copy, edit and send it back.
    public static func spelling(of fault: FlagServerFault) -> String {
        var kind: String
        var options: [String] = []
        switch fault.kind {
        case .status(let status, let retryAfter):
            kind = String(status)
            if let retryAfter { options.append("retry=\(retryAfter)") }
        case .hang: kind = "hang"
        case .reset: kind = "reset"
        case .emptyBody: kind = "empty"
        case .malformedJSON: kind = "malformed"
        case .slowBody(let duration):
            kind = "slow-body"
            options.append("duration=" + spelling(of: duration))
        }
        if let window = fault.window {
            options.append("from=" + spelling(of: window.start))
            if window.end < endOfTime { options.append("until=" + spelling(of: window.end)) }
        }
        for host in (fault.hosts ?? []).sorted() { options.append("host=\(host)") }
        if !options.isEmpty { kind += ":" + options.joined(separator: ",") }
        return kind + "@" + String(fault.probability)
    }

    /// The shortest exact spelling of `duration` that ``parseDuration(_:)`` reads back, e.g. `2s`, `1500ms`.
    public static func spelling(of duration: Duration) -> String {
        let nanoseconds = duration.flagNanoseconds
        let units: [(Int64, String)] = [
            (3_600_000_000_000, "h"), (60_000_000_000, "m"), (1_000_000_000, "s"),
            (1_000_000, "ms"), (1_000, "us"),
        ]
        for (size, unit) in units where nanoseconds != 0 && nanoseconds % size == 0 {
            return "\(nanoseconds / size)\(unit)"
        }
        return "\(nanoseconds)ns"
    }
}
