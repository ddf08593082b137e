/// A host name as a connection spelled it, with its normalised form and a hash computed once.
///
/// Why a type: the reference design keyed its flag cache by the raw string while
/// its client manager normalised, so `example.com`, `https://example.com` and
/// `EXAMPLE.com/` fragmented the cache (weakness W3). The `recommended` policy
/// keys both by ``normalized``; the `seed` policy keeps the Go behaviour and keys
/// its flag cache by ``raw``. Building the key once per connection also keeps
/// string normalisation and hashing off the per-check path.
public struct HostKey: Hashable, Sendable, CustomStringConvertible {
    /// The spelling the caller gave, untouched.
    public let raw: String
    /// The canonical authority: lower-cased host, no scheme, no path or trailing
    /// slash, no trailing dot, and no port when it is the scheme's default.
    public let normalized: String
    /// The scheme the caller gave (`"https"`, `"http"`, lower-cased), or `nil` when none was given.
    public let scheme: String?
    /// The Go client manager's key for this spelling (see ``goNormalized(_:)``),
    /// computed once here so the `seed` manager does not lower-case per call.
    public let goKey: String
    /// `normalized.hashValue`, computed once (the registries' tables use it directly).
    let precomputedHash: Int

    /// Normalises `raw` (see ``normalized``).
    public init(_ raw: String) {
        self.raw = raw
        let (scheme, authority) = HostKey.normalize(raw)
        self.scheme = scheme
        self.normalized = authority
        self.goKey = HostKey.goNormalized(raw)
        self.precomputedHash = authority.hashValue
    }

    /// Equality is on ``normalized`` only: two spellings of one host are one key.
    public static func == (lhs: HostKey, rhs: HostKey) -> Bool {
        lhs.precomputedHash == rhs.precomputedHash && lhs.normalized == rhs.normalized
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(precomputedHash)
    }

    public var description: String { normalized }

    /// The Go client manager's normalisation, reproduced for the `seed` policy:
    /// lower-case, strip one leading `http://` or `https://`, trim trailing `/`.
    /// It leaves trailing dots, default ports and paths alone.
    public static func goNormalized(_ raw: String) -> String {
        var host = raw.lowercased()
        if host.hasPrefix("https://") {
            host.removeFirst("https://".count)
        } else if host.hasPrefix("http://") {
            host.removeFirst("http://".count)
        }
        while host.hasSuffix("/") { host.removeLast() }
        return host
    }

    static func normalize(_ raw: String) -> (scheme: String?, authority: String) {
        var text = Substring(raw.lowercased())
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }

        var scheme: String?
        if let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://"),
           text[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) {
            scheme = String(text[..<colon])
            text = text[text.index(colon, offsetBy: 3)...]
        }
        // Drop any path, query or fragment: a host key names an authority only.
        if let cut = text.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            text = text[..<cut]
        }
        // Drop user info.
        if let at = text.lastIndex(of: "@") { text = text[text.index(after: at)...] }

        // Split host and port, minding IPv6 literals in brackets.
        var host = text
        var port: Substring?
        if text.first == "[" {
            if let close = text.firstIndex(of: "]") {
                host = text[...close]
                let rest = text[text.index(after: close)...]
                if rest.first == ":" { port = rest.dropFirst() }
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        while host.last == "." { host.removeLast() }

        let defaultPort: Substring? = switch scheme {
        case "http": "80"
        case "https", nil: "443"
        default: nil
        }
        if let p = port, p.isEmpty || p == defaultPort { port = nil }
        let authority = port.map { "\(host):\($0)" } ?? String(host)
        return (scheme, authority)
    }
}
