import FlagServer
import Foundation

/// Parsers for the one-line spellings a scenario file uses: durations, distributions, arrival rates, skews.
///
/// Why alongside ``FlagServer/FlagServerCommandLine``: faults, rate limits and
/// durations are read by that type's parsers so they read the same on the
/// command line and in files; these add the spellings only scenarios need, and
/// throw the same ``FlagServer/FlagServerCommandLineError`` (whose message names
/// the offending token).
///
/// - Duration: as ``FlagServer/FlagServerCommandLine/parseDuration(_:)`` (`500ms`,
///   `1.5s`, `2m`, `1h`), plus a bare `0` and sums of parts such as `6h10m` or `1m30s`.
/// - Distribution: `5ms` (fixed), `uniform 1ms..5ms`, `lognormal median=2ms p99=20ms`,
///   `bimodal 1ms stall=2s p=0.01` (the base may itself be any distribution:
///   `bimodal uniform 1ms..3ms stall=2s p=0.01`).
/// - Rate: `COUNT/WINDOW`: `200/s`, `30/m`, `5/100ms`, `0/s` (a bare `0` is `0/s`).
/// - Skew: `uniform` or `zipf EXPONENT` (`zipf 1.1`; a bare `zipf` is exponent 1).
public enum ScenarioSyntax {
    /// A duration (see the type's documentation), or `nil`.
    ///
    /// Why sums: plan files place outages and deploys within a day, where `6h10m` reads better than `370m`.
    public static func parseDuration(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed == "0" { return .zero }
        if let single = FlagServerCommandLine.parseDuration(trimmed) { return single }
        // A sum: NUMBER UNIT NUMBER UNIT …, each part as above (`6h10m`).
        func isNumeric(_ character: Character) -> Bool { ("0"..."9").contains(character) || character == "." }
        var rest = Substring(trimmed)
        var total = Duration.zero
        var parts = 0
        while !rest.isEmpty {
            guard let unitStart = rest.firstIndex(where: { !isNumeric($0) }), unitStart != rest.startIndex else { return nil }
            let partEnd = rest[unitStart...].firstIndex(where: isNumeric) ?? rest.endIndex
            guard let part = FlagServerCommandLine.parseDuration(String(rest[..<partEnd])) else { return nil }
            total += part
            parts += 1
            rest = rest[partEnd...]
        }
        return parts > 1 ? total : nil
    }

    /// A latency or lifetime distribution (see the type's documentation).
    public static func parseDistribution(_ text: String) throws(FlagServerCommandLineError) -> LatencyDistribution {
        let tokens = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = tokens.first else {
            throw FlagServerCommandLineError(
                token: text, message: "empty distribution: expected e.g. 5ms, \"uniform 1ms..5ms\", \"lognormal median=2ms p99=20ms\"")
        }
        func duration(_ token: String, _ role: String) throws(FlagServerCommandLineError) -> Duration {
            guard let duration = parseDuration(token) else {
                throw FlagServerCommandLineError(
                    token: token, message: "bad \(role) '\(token)' in distribution '\(text)': expected a duration such as 500ms, 2s, 1m")
            }
            return duration
        }
        func options(_ tokens: ArraySlice<String>, known: [String]) throws(FlagServerCommandLineError)
            -> (values: [String: String], rest: [String]) {
            var values: [String: String] = [:]
            var rest: [String] = []
            for token in tokens {
                guard let equals = token.firstIndex(of: "=") else { rest.append(token); continue }
                let key = token[..<equals].lowercased()
                guard known.contains(key) else {
                    throw FlagServerCommandLineError(
                        token: token, message: "unknown option '\(token)' in distribution '\(text)' (known: \(known.joined(separator: ", ")))")
                }
                values[key] = String(token[token.index(after: equals)...])
            }
            return (values, rest)
        }
        func missing(_ option: String, example: String) -> FlagServerCommandLineError {
            FlagServerCommandLineError(token: text, message: "missing \(option) in distribution '\(text)': expected e.g. \(example)")
        }

        switch first.lowercased() {
        case "fixed":
            guard tokens.count == 2 else { throw missing("a duration", example: "fixed 5ms") }
            return .fixed(try duration(tokens[1], "duration"))
        case "uniform":
            let range = tokens.dropFirst().joined()
            guard let dots = range.firstRange(of: "..") else { throw missing("a range", example: "uniform 1ms..5ms") }
            let low = try duration(String(range[..<dots.lowerBound]), "minimum")
            let high = try duration(String(range[dots.upperBound...]), "maximum")
            return .uniform(min: low, max: high)
        case "lognormal", "log-normal":
            let (values, rest) = try options(tokens.dropFirst(), known: ["median", "p99"])
            if let extra = rest.first {
                throw FlagServerCommandLineError(
                    token: extra, message: "unexpected '\(extra)' in distribution '\(text)': expected median=DURATION p99=DURATION")
            }
            guard let median = values["median"] else { throw missing("median=", example: "lognormal median=2ms p99=20ms") }
            guard let p99 = values["p99"] else { throw missing("p99=", example: "lognormal median=2ms p99=20ms") }
            return .logNormal(median: try duration(median, "median"), p99: try duration(p99, "p99"))
        case "bimodal":
            let (values, rest) = try options(tokens.dropFirst(), known: ["stall", "p"])
            guard !rest.isEmpty else { throw missing("a base latency", example: "bimodal 1ms stall=2s p=0.01") }
            guard let stall = values["stall"] else { throw missing("stall=", example: "bimodal 1ms stall=2s p=0.01") }
            guard let pText = values["p"] else { throw missing("p=", example: "bimodal 1ms stall=2s p=0.01") }
            guard let p = Double(pText), (0...1).contains(p) else {
                throw FlagServerCommandLineError(
                    token: pText, message: "bad probability '\(pText)' in distribution '\(text)': expected a number within 0...1")
            }
            let base = try parseDistribution(rest.joined(separator: " "))
            return .bimodal(base: base, stallProbability: p, stall: try duration(stall, "stall"))
        default:
            guard tokens.count == 1 else {
                throw FlagServerCommandLineError(
                    token: first,
                    message: "unknown distribution '\(first)' in '\(text)' (known: a duration, uniform, lognormal, bimodal)")
            }
            guard let fixed = parseDuration(first) else {
                throw FlagServerCommandLineError(
                    token: first,
                    message: "bad distribution '\(first)': expected a duration such as 5ms, or uniform, lognormal, bimodal")
            }
            return .fixed(fixed)
        }
    }

    /// An arrival rate (see the type's documentation).
    public static func parseRate(_ text: String) throws(FlagServerCommandLineError) -> ArrivalRate {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed == "0" { return ArrivalRate(count: 0, per: .seconds(1)) }
        guard let slash = trimmed.firstIndex(of: "/") else {
            throw FlagServerCommandLineError(
                token: text, message: "malformed rate '\(text)': expected COUNT/WINDOW, e.g. 200/s, 30/m, 5/100ms")
        }
        let countText = String(trimmed[..<slash])
        guard let count = Int(countText), count >= 0 else {
            throw FlagServerCommandLineError(
                token: countText, message: "bad count '\(countText)' in rate '\(text)': expected a whole number >= 0")
        }
        let shownWindow = String(trimmed[trimmed.index(after: slash)...])
        var windowText = shownWindow
        // `200/s` and `30/m` mean one unit.
        if let first = windowText.first, !("0"..."9").contains(first), first != "." { windowText = "1" + windowText }
        guard let window = FlagServerCommandLine.parseDuration(windowText), window > .zero else {
            throw FlagServerCommandLineError(
                token: shownWindow,
                message: "bad window '\(shownWindow)' in rate '\(text)': expected a duration > 0 such as s, m, 100ms")
        }
        return ArrivalRate(count: count, per: window)
    }

    /// A host-popularity skew (see the type's documentation).
    public static func parseSkew(_ text: String) throws(FlagServerCommandLineError) -> HostSkew {
        let tokens = text.split(whereSeparator: \.isWhitespace).map(String.init)
        switch tokens.first?.lowercased() {
        case "uniform" where tokens.count == 1:
            return .uniform
        case "zipf" where tokens.count <= 2:
            guard tokens.count == 2 else { return .zipf(exponent: 1) }
            guard let exponent = Double(tokens[1]), exponent.isFinite, exponent > 0 else {
                throw FlagServerCommandLineError(
                    token: tokens[1], message: "bad exponent '\(tokens[1])' in skew '\(text)': expected a number > 0, e.g. zipf 1.1")
            }
            return .zipf(exponent: exponent)
        default:
            throw FlagServerCommandLineError(
                token: text, message: "unknown skew '\(text)' (known: uniform, \"zipf EXPONENT\" such as \"zipf 1.1\")")
        }
    }
}
