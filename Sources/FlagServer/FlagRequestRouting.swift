import FeatureFlags

/// Which requests the HTTP front end answers from the model, and for which host.
///
/// Why its own type: routing is pure string work that tests check directly,
/// and it runs on every request, so it scans bytes instead of splitting strings.
enum FlagRequestRouting {
    /// The flag endpoint's path up to `{driver}/{version}`.
    static let flagPathPrefix = "/api/2.0/connector-service/feature-flags/"

    /// What a request is for.
    enum Route: Equatable {
        /// The flag endpoint.
        case flag
        /// The admin surface under `/_flagstorm/`.
        case admin
        /// Anything else (404, journalled).
        case unknown
    }

    /// The route of `uri` (path plus optional query).
    ///
    /// The flag endpoint is `/api/2.0/connector-service/feature-flags/{driver}/{version}`:
    /// exactly two non-empty segments after the prefix, a trailing slash tolerated.
    static func route(_ uri: String) -> Route {
        var utf8 = Substring(uri).utf8
        if let mark = utf8.firstIndex(of: UInt8(ascii: "?")) { utf8 = utf8[..<mark] }
        if utf8.starts(with: FlagServerAdmin.prefix.utf8) { return .admin }
        guard utf8.starts(with: flagPathPrefix.utf8) else { return .unknown }
        var rest = utf8.dropFirst(flagPathPrefix.utf8.count)
        if rest.last == UInt8(ascii: "/") { rest = rest.dropLast() }
        var segments = 1
        var segmentLength = 0
        for byte in rest {
            if byte == UInt8(ascii: "/") {
                guard segmentLength > 0 else { return .unknown }
                segments += 1
                segmentLength = 0
            } else {
                segmentLength += 1
            }
        }
        return segments == 2 && segmentLength > 0 ? .flag : .unknown
    }

    /// The path of `uri`, without its query.
    static func path(of uri: String) -> String {
        guard let mark = uri.firstIndex(of: "?") else { return uri }
        return String(uri[..<mark])
    }

    /// The host a `Host` header names, without its port (any port), normalised as ``FeatureFlags/HostKey`` does.
    ///
    /// Why strip every port: drivers reach the server on its own port (say
    /// `127.0.0.1:8080`) but name the real host in `Host`, sometimes with the
    /// real host's port (`example.com:443`); both must route to `example.com`.
    static func hostName(fromHeader header: String) -> String {
        // Fast path: already a normalised name (lowercase letters, digits, dots,
        // hyphens; no port, no trailing dot), as the core's fetcher sends it.
        if isNormalizedName(header) { return header }
        var host = Substring(header)
        if host.first == "[" {
            // IPv6 literal: keep through the closing bracket.
            if let close = host.firstIndex(of: "]") { host = host[...close] }
        } else if let colon = host.lastIndex(of: ":"),
                  host[host.index(after: colon)...].allSatisfy(\.isASCIIDigit) {
            host = host[..<colon]
        }
        return HostKey(String(host)).normalized
    }

    private static func isNormalizedName(_ text: String) -> Bool {
        let utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard let last = bytes.last, last != UInt8(ascii: ".") else { return false }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "."), UInt8(ascii: "-"):
                    continue
                default:
                    return false
                }
            }
            return true
        } ?? false
    }
}
