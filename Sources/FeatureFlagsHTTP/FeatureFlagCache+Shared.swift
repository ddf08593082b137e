import AsyncHTTPClient
import FeatureFlags

extension FeatureFlagCache {
    /// A process-wide `recommended` cache fetching over `HTTPClient.shared`, for convenience only.
    ///
    /// It mirrors the reference design's singleton so an application can share
    /// one cache without wiring one through; it uses the default
    /// ``HTTPFlagFetcherConfiguration`` and real DNS. Tests and scenarios never
    /// use it: they create their own cache with their own fetcher, clock and
    /// server (house style: inject, don't reach for globals). It is created on
    /// first use and never shut down.
    public static let shared = FeatureFlagCache(
        policy: .recommended,
        fetcher: HTTPFlagFetcher(configuration: HTTPFlagFetcherConfiguration())
    )
}
