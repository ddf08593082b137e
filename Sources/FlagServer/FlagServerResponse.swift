/// One HTTP header field of a fake-server answer.
public struct FlagServerHeader: Sendable, Hashable {
    /// The field name.
    public var name: String
    /// The field value.
    public var value: String

    /// Creates a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An answer the fake server sends: status, headers, body bytes, and what the body means.
///
/// Why both bytes and meaning: the HTTP front end writes the bytes; the
/// in-memory transport maps the meaning (``Content``) straight to the result
/// the real fetcher would decode from those bytes, with no JSON parser on the
/// simulated hot path.
public struct FlagServerResponse: Sendable, Hashable {
    /// What the body says.
    public enum Content: Sendable, Hashable {
        /// The flag endpoint's JSON naming one flag, its value, and the TTL the client will read (`nil`: none).
        case flags(name: String, enabled: Bool, ttlSeconds: Int?)
        /// No body at all.
        case empty
        /// Bytes that are not the expected JSON.
        case malformed
        /// A short error document accompanying a non-200 status.
        case error
    }

    /// The HTTP status code.
    public var status: Int
    /// Header fields, in the order they are sent.
    public var headers: [FlagServerHeader]
    /// The body bytes.
    public var body: [UInt8]
    /// What the body means.
    public var content: Content

    /// Creates a response.
    public init(status: Int, headers: [FlagServerHeader], body: [UInt8], content: Content) {
        self.status = status
        self.headers = headers
        self.body = body
        self.content = content
    }

    /// The `Retry-After` header in seconds, when sent.
    public var retryAfterSeconds: Int? {
        headers.first { $0.name.lowercased() == "retry-after" }.flatMap { Int($0.value) }
    }

    /// The body as text (for tests and logs).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// A 200 with the flag endpoint's JSON: `{"flags":[{"name":…,"value":"true"}],"ttl_seconds":900}`.
    static func flags(name: String, enabled: Bool, ttlSeconds: Int, spelling: TTLSpelling) -> FlagServerResponse {
        var json = #"{"flags":[{"name":""# + escapeJSON(name) + #"","value":""# + (enabled ? "true" : "false") + #""}]"#
        switch spelling {
        case .snakeCase: json += #","ttl_seconds":\#(ttlSeconds)"#
        case .camelCase: json += #","ttlSeconds":\#(ttlSeconds)"#
        case .both: json += #","ttl_seconds":\#(ttlSeconds),"ttlSeconds":\#(ttlSeconds)"#
        case .none: break
        }
        json += "}"
        // The client reads a TTL only when it is positive.
        let advertised = spelling == .none || ttlSeconds <= 0 ? nil : ttlSeconds
        return FlagServerResponse(status: 200, headers: jsonHeaders, body: Array(json.utf8),
                                  content: .flags(name: name, enabled: enabled, ttlSeconds: advertised))
    }

    /// A non-200 status with a short JSON error and, when given, `Retry-After`.
    static func status(_ status: Int, retryAfterSeconds: Int?) -> FlagServerResponse {
        var headers = jsonHeaders
        if let retryAfterSeconds {
            headers.append(FlagServerHeader(name: "Retry-After", value: String(retryAfterSeconds)))
        }
        let body = Array(#"{"error_code":"FLAGSTORM_INJECTED","status":\#(status)}"#.utf8)
        return FlagServerResponse(status: status, headers: headers, body: body, content: .error)
    }

    /// A 200 with no body.
    static let empty = FlagServerResponse(status: 200, headers: jsonHeaders, body: [], content: .empty)

    /// A 200 whose JSON stops half-way.
    static func malformed(name: String) -> FlagServerResponse {
        let body = Array((#"{"flags":[{"name":""# + escapeJSON(name) + #"","value":"#).utf8)
        return FlagServerResponse(status: 200, headers: jsonHeaders, body: body, content: .malformed)
    }

    private static let jsonHeaders = [FlagServerHeader(name: "Content-Type", value: "application/json")]

    /// Escapes `"`, `\` and control characters for a JSON string.
    static func escapeJSON(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
