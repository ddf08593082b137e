import FeatureFlags
import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The flag endpoint's JSON body: `{"flags":[{"name":"…","value":"true"}],"ttl_seconds":900}`.
///
/// Decoded as leniently as the Go struct it mirrors where that costs nothing
/// (a missing or `null` `flags`, `name` or `value` reads as empty), strictly
/// where it matters (a body that is not a JSON object, or a `value` that is not
/// a string, is invalid). A TTL of the wrong type is ignored, since the
/// reference design ignored the field altogether.
struct FlagEndpointResponse: Decodable {
    struct Flag: Decodable {
        var name: String
        var value: String

        enum CodingKeys: String, CodingKey { case name, value }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
            value = try container.decodeIfPresent(String.self, forKey: .value) ?? ""
        }
    }

    /// The longest TTL passed on (about 31 years); larger values are clamped so
    /// the conversion to `Duration` cannot overflow. The cache clamps further.
    static let maximumTTLSeconds: Double = 1e9

    var flags: [Flag]
    var ttlSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case flags
        case ttlSnakeCase = "ttl_seconds"
        case ttlCamelCase = "ttlSeconds"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        flags = try container.decodeIfPresent([Flag].self, forKey: .flags) ?? []
        let snake = try? container.decodeIfPresent(Double.self, forKey: .ttlSnakeCase)
        let camel = try? container.decodeIfPresent(Double.self, forKey: .ttlCamelCase)
        ttlSeconds = snake ?? camel
    }

    /// The TTL as a duration: `nil` when absent or not positive, clamped to ``maximumTTLSeconds``.
    var ttl: Duration? {
        guard let seconds = ttlSeconds, seconds > 0 else { return nil }
        return .seconds(min(seconds, Self.maximumTTLSeconds))
    }

    /// Whether `flagName` is on: the first flag with that name, value `"true"` in any case.
    func isEnabled(flagName: String) -> Bool {
        guard let flag = flags.first(where: { $0.name == flagName }) else { return false }
        return flag.value.lowercased() == "true"
    }

    /// Decodes `body` into a fetch result for `flagName`, or throws ``FlagFetchError/Kind/invalidResponse``.
    static func decode(_ body: ByteBuffer, flagName: String) throws -> FlagFetchResult {
        let response: FlagEndpointResponse
        do {
            response = try JSONDecoder().decode(FlagEndpointResponse.self, from: Data(body.readableBytesView))
        } catch {
            throw FlagFetchError(.invalidResponse, message: "undecodable flag response: \(error)")
        }
        return FlagFetchResult(enabled: response.isEnabled(flagName: flagName), ttl: response.ttl)
    }
}
