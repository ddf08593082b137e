import FeatureFlags

/// The scenario's hosts: how many, how they are named, how connections spell them and how popular each is.
///
/// Why a pattern: a scenario over 100,000 hosts names them by index
/// (`host-{i}.example.com`), so the engine can draw an index and spell it
/// without a table, and a host named elsewhere in the file can be checked
/// against the set.
public struct ScenarioHosts: Sendable, Hashable {
    /// The placeholder in ``pattern`` replaced by the host's index.
    public static let indexPlaceholder = "{i}"

    /// How many hosts there are (indices `0..<count`).
    public var count: Int
    /// The plain name with ``indexPlaceholder`` where the index goes, e.g. `host-{i}.example.com`.
    public var pattern: String
    /// Relative weights of the spellings connections use (absent spellings are never used).
    public var spellings: [HostSpelling: Double]
    /// How host popularity is distributed.
    public var skew: HostSkew

    /// Creates a host set; the defaults are one host, `host-{i}.example.com`, plain spellings, uniform.
    public init(count: Int = 1, pattern: String = "host-{i}.example.com",
                spellings: [HostSpelling: Double] = [.plain: 1], skew: HostSkew = .uniform) {
        self.count = count
        self.pattern = pattern
        self.spellings = spellings
        self.skew = skew
    }

    /// The plain (normalised) name of host `index`.
    public func name(at index: Int) -> String {
        pattern.replacing(Self.indexPlaceholder, with: String(index))
    }

    /// Host `index` spelled as `choice`.
    public func spelling(of index: Int, choice: HostSpelling) -> String {
        choice.apply(to: name(at: index))
    }

    /// The spelling whose slice of the weights holds `unitDraw` (a number in `0..<1`), in ``HostSpelling/allCases`` order.
    ///
    /// Why here: the engine draws one uniform number per connection from its seeded
    /// generator; mapping it here keeps the choice reproducible and in one place.
    public func spelling(forUnitDraw unitDraw: Double) -> HostSpelling {
        let weighted = HostSpelling.allCases.compactMap { spelling in
            spellings[spelling].flatMap { $0 > 0 ? (spelling, $0) : nil }
        }
        let total = weighted.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return .plain }
        var remaining = unitDraw * total
        for (spelling, weight) in weighted {
            if remaining < weight { return spelling }
            remaining -= weight
        }
        return weighted.last!.0
    }

    /// The index of the host that `spelling` names (normalised as ``FeatureFlags/HostKey`` does), or `nil` when it is not one of these hosts.
    public func index(ofHost spelling: String) -> Int? {
        let normalized = HostKey(spelling).normalized
        guard let placeholder = pattern.firstRange(of: Self.indexPlaceholder) else { return nil }
        let prefix = pattern[..<placeholder.lowerBound]
        let suffix = pattern[placeholder.upperBound...]
        guard normalized.count > prefix.count + suffix.count,
              normalized.hasPrefix(prefix), normalized.hasSuffix(suffix) else { return nil }
        let digits = normalized.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.allSatisfy({ ("0"..."9").contains($0) }),
              digits == "0" || digits.first != "0",
              let index = Int(digits), index < count else { return nil }
        return index
    }
}
