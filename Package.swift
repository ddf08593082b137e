// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// Whether to link jemalloc so that it serves `malloc` (the default; Probes
/// verifies it at run time). `FLAGSTORM_NO_JEMALLOC=1` leaves it out, which
/// ThreadSanitizer builds need: TSan replaces `malloc` and `free` but not
/// jemalloc's `operator new`, and the mix crashes before `main`.
/// Without libjemalloc installed the package still builds and runs (the probe
/// then reports "jemalloc not loaded" and no byte figures); `.ci/run` installs it.
let jemallocInstalled = [
    "/usr/lib/x86_64-linux-gnu/libjemalloc.so", "/usr/lib/aarch64-linux-gnu/libjemalloc.so",
    "/usr/lib64/libjemalloc.so", "/usr/lib/libjemalloc.so", "/usr/local/lib/libjemalloc.so",
    "/opt/homebrew/lib/libjemalloc.dylib", "/usr/local/lib/libjemalloc.dylib",
].contains { FileManager.default.fileExists(atPath: $0) }
let linkJemalloc = ProcessInfo.processInfo.environment["FLAGSTORM_NO_JEMALLOC"] == nil && jemallocInstalled

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
        // jemalloc, linked so that it *is* the process's allocator; Probes checks
        // at run time that it really is before trusting its byte counts.
        // Headers only (no pkgConfig, which would add -ljemalloc to every link); Probes decides whether to link.
        .systemLibrary(name: "CJemalloc", providers: [.apt(["libjemalloc-dev"])]),
        .target(
            name: "Probes",
            dependencies: [
                "CJemalloc",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            linkerSettings: linkJemalloc ? [.linkedLibrary("jemalloc")] : []
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
