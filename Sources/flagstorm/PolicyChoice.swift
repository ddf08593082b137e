import ArgumentParser
import FeatureFlags

/// `--policy seed|recommended|both`.
enum PolicyChoice: String, ExpressibleByArgument, CaseIterable {
    case seed, recommended, both

    var policies: [FlagCachePolicy] {
        switch self {
        case .seed: [.seed]
        case .recommended: [.recommended]
        case .both: [.seed, .recommended]
        }
    }
}
