/// Why the HTTP front end could not start.
///
/// Why a type of its own: `flagstorm serve` turns ``portInUse(host:port:)`` into
/// a one-line hint and exit code 70, and tests check for it without matching
/// on NIO's error text.
public enum FlagHTTPServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Another socket is already listening on `host:port`.
    case portInUse(host: String, port: Int)
    /// Binding `host:port` failed for another reason (`reason` is the system's explanation).
    case bindFailed(host: String, port: Int, reason: String)

    /// One line saying what happened and what to do.
    public var description: String {
        switch self {
        case .portInUse(let host, let port):
            "port \(port) is in use on \(host); pick another with --port or use --port 0"
        case .bindFailed(let host, let port, let reason):
            "cannot listen on \(host):\(port): \(reason)"
        }
    }
}
