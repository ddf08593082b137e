/// How often each host is picked: all alike, or a few hot hosts and a long tail.
public enum HostSkew: Sendable, Hashable {
    /// Every host equally likely.
    case uniform
    /// Host `i` (0-based) picked with weight `1 / (i + 1)^exponent`; `exponent > 0`.
    case zipf(exponent: Double)
}
