// swift-tools-version: 6.1
import PackageDescription

/// FlagStorm: a per-host feature-flag cache and client manager (the system under
/// test) and the load-testing harness around it. See README.md and
/// ../shared/ARCHITECTURE.md for the target layout; arrows point one way:
/// `flagstorm` -> harness -> core. The core (`FeatureFlags`) imports only the
/// standard library and Synchronization.
let package = Package(
    name: "FlagStorm",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FeatureFlags", targets: ["FeatureFlags"]),
        .library(name: "FeatureFlagsHTTP", targets: ["FeatureFlagsHTTP"]),
        .executable(name: "flagstorm", targets: ["flagstorm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .target(name: "FeatureFlags"),
        .target(
            name: "FeatureFlagsHTTP",
            dependencies: [
                "FeatureFlags",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "FlagServer",
            dependencies: [
                "FeatureFlags",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // A C shim over the allocators' statistics (jemalloc's mallctl, looked up
        // at run time; glibc's mallinfo2). Nothing here links jemalloc or needs
        // its header: whether jemalloc serves malloc is decided when flagstorm
        // starts (it re-executes itself under LD_PRELOAD when libjemalloc.so.2 is
        // installed) and verified by Probes. Never decide it here: SwiftPM caches
        // manifest evaluation, so a file-system check would pin a stale answer.
        .systemLibrary(name: "CJemalloc"),
        .target(
            name: "Probes",
            dependencies: [
                "CJemalloc",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Virtual time and a seeded single-threaded executor for simulated runs and `hunt` (stdlib and Synchronization only).
        .target(name: "Simulation"),
        // The run report's types (REPORT-SCHEMA.md): plain Codable data, so
        // reporting can import them without the engine.
        .target(name: "StormReport"),
        // Renderers, thresholds and comparison: they see the summary types only.
        .target(name: "Reporting", dependencies: ["StormReport"]),
        .target(
            name: "StormEngine",
            dependencies: [
                "FeatureFlags",
                "FeatureFlagsHTTP",
                "FlagServer",
                "Probes",
                "Simulation",
                "StormReport",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "flagstorm",
            dependencies: [
                "FeatureFlags",
                "FeatureFlagsHTTP",
                "StormEngine",
                "StormReport",
                "Reporting",
                "FlagServer",
                "Probes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FeatureFlagsTests", dependencies: ["FeatureFlags"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation"]),
        .testTarget(name: "StormEngineTests", dependencies: ["StormEngine", "StormReport", "Reporting", "FlagServer", "FeatureFlags", "Probes"]),
        .testTarget(name: "ProbesTests", dependencies: ["Probes"]),
        .testTarget(name: "StormReportTests", dependencies: ["StormReport"]),
        // Runs the built `flagstorm` binary as a user does (exit codes, report folders, signals, the allocator
        // chosen at start-up); depends on it so that `swift test` builds it first.
        .testTarget(name: "FlagStormCLITests", dependencies: ["flagstorm", "Probes", "StormReport"]),
        // Fixtures and golden files are read by path (`#filePath`), not as resources.
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "StormReport"], exclude: ["Fixtures", "Golden"]),
        .testTarget(
            name: "FlagServerTests",
            dependencies: [
                "FlagServer",
                "FeatureFlags",
                "FeatureFlagsHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "FeatureFlagsHTTPTests",
            dependencies: [
                "FeatureFlags",
                "FeatureFlagsHTTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
