/// One way a connection may spell its host; every spelling normalises (``FeatureFlags/HostKey``) to the plain name.
///
/// Why several: the reference design keyed its flag cache by the raw spelling
/// while its client manager normalised (W3), so a scenario mixes spellings to
/// show the fragmentation under `seed` and its absence under `recommended`.
/// The raw values are the keys of `hosts.spellings` in a scenario file.
public enum HostSpelling: String, Sendable, Hashable, CaseIterable {
    /// `host-1.example.com`.
    case plain
    /// `HOST-1.EXAMPLE.COM`.
    case upper
    /// `host-1.example.com:443` (the default port; Go's normaliser keeps it).
    case port
    /// `https://host-1.example.com`.
    case url
    /// `host-1.example.com/` (a trailing slash).
    case slash
    /// `host-1.example.com.` (a trailing dot; Go's normaliser keeps it).
    case trailingDot

    /// `plainName` in this spelling.
    public func apply(to plainName: String) -> String {
        switch self {
        case .plain: plainName
        case .upper: plainName.uppercased()
        case .port: plainName + ":443"
        case .url: "https://" + plainName
        case .slash: plainName + "/"
        case .trailingDot: plainName + "."
        }
    }
}
