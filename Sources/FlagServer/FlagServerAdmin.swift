#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The admin surface under `/_flagstorm/`, as a pure function from request to answer.
///
/// Why separate from the channel handler: it is plain data in, plain data out,
/// so it is tested without sockets, and the handler only moves bytes.
///
/// - `GET /_flagstorm/stats`: ``FlagServerStatistics/jsonText()``.
/// - `GET /_flagstorm/journal?host=NAME&limit=N`: the last `N` (default 1000)
///   journal entries, for one host when given, oldest first, as JSON lines
///   (``FlagServerJournalEntry/jsonLine(relativeTo:)``).
/// - `GET /_flagstorm/faults`: the plan in force, one `--fault` spelling per line.
/// - `PUT /_flagstorm/faults`: replaces the plan. The body is the fault
///   spellings (as `--fault` reads them), separated by whitespace or newlines,
///   or a JSON array of those strings; an empty body clears the plan. A
///   spelling that does not parse, or a plan that does not validate, is a 400
///   naming it, and the plan in force is left alone.
struct FlagServerAdmin: Sendable {
    /// The path prefix of the admin surface.
    static let prefix = "/_flagstorm/"
    /// The most body bytes read from an admin request.
    static let maximumBodyBytes = 64 * 1024

    /// An answer: status, content type, body.
    struct Reply: Sendable, Equatable {
        var status: Int
        var contentType: String
        var body: String

        static func json(_ status: Int, _ body: String) -> Reply {
            Reply(status: status, contentType: "application/json", body: body)
        }

        static func error(_ status: Int, _ message: String, token: String? = nil) -> Reply {
            var json = "{\"error\":\"\(FlagServerResponse.escapeJSON(message))\""
            if let token { json += ",\"token\":\"\(FlagServerResponse.escapeJSON(token))\"" }
            return .json(status, json + "}")
        }
    }

    let model: FlagServerModel

    /// Answers `method` on `uri` (path and query) with `body`.
    func reply(method: String, uri: String, body: [UInt8]) -> Reply {
        let (path, query) = Self.split(uri)
        switch (method, path) {
        case ("GET", "/_flagstorm/stats"):
            return .json(200, model.statistics().jsonText())
        case ("GET", "/_flagstorm/journal"):
            return journal(query: query)
        case ("GET", "/_flagstorm/faults"):
            let lines = model.faults().map { FlagServerCommandLine.spelling(of: $0) + "\n" }
            return Reply(status: 200, contentType: "text/plain; charset=utf-8", body: lines.joined())
        case ("PUT", "/_flagstorm/faults"), ("POST", "/_flagstorm/faults"):
            return replaceFaults(body)
        case (_, "/_flagstorm/stats"), (_, "/_flagstorm/journal"), (_, "/_flagstorm/faults"):
            return .error(405, "method \(method) not allowed on \(path)")
        default:
            return .error(404, "unknown admin path \(path); known: GET /_flagstorm/stats, "
                + "GET /_flagstorm/journal?host=&limit=, GET|PUT /_flagstorm/faults")
        }
    }

    private func journal(query: [String: String]) -> Reply {
        var limit = 1_000
        if let text = query["limit"] {
            guard let value = Int(text), value >= 0 else {
                return .error(400, "bad limit '\(text)': expected a whole number >= 0", token: text)
            }
            limit = value
        }
        let host = query["host"].map { FlagRequestRouting.hostName(fromHeader: $0) }
        let start = model.start
        let lines = model.recentJournal(limit: limit, host: host).map { $0.jsonLine(relativeTo: start) + "\n" }
        return Reply(status: 200, contentType: "application/x-ndjson", body: lines.joined())
    }

    private func replaceFaults(_ body: [UInt8]) -> Reply {
        let text = String(decoding: body, as: UTF8.self)
        let spellings: [String]
        if text.first(where: { !$0.isWhitespace }) == "[" {
            guard let decoded = try? JSONDecoder().decode([String].self, from: Data(body)) else {
                return .error(400, "the body starts like a JSON array but is not an array of strings")
            }
            spellings = decoded
        } else {
            spellings = text.split(whereSeparator: \.isWhitespace).map(String.init)
        }
        var faults: [FlagServerFault] = []
        for spelling in spellings {
            do {
                faults.append(try FlagServerCommandLine.parseFault(spelling))
            } catch {
                return .error(400, error.message, token: error.token)
            }
        }
        let problems = FlagServerConfiguration(faults: faults).validate()
        if let problem = problems.first {
            return .error(400, problems.map(\.description).joined(separator: "; "), token: problem.path)
        }
        let previous = model.replaceFaults(faults)
        return .json(200, "{\"faults\":\(faults.count),\"replaced\":\(previous.count)}")
    }

    /// Splits `/path?a=b&c=d` into the path and its (percent-decoded) query parameters.
    static func split(_ uri: String) -> (path: String, query: [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecoded(parts[0])
            query[key] = parts.count > 1 ? percentDecoded(parts[1]) : ""
        }
        return (String(uri[..<mark]), query)
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = utf8.next(), let low = utf8.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
