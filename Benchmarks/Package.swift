// swift-tools-version: 6.1
import PackageDescription

/// Micro-benchmarks of the FlagStorm core (`FeatureFlags`), kept in their own
/// package (as swift-nio does) so that the main package does not depend on
/// ordo-one/benchmark and its malloc interposer.
///
/// Run from this folder: `swift package benchmark` (see README.md).
let package = Package(
    name: "FlagStormBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a path dependency's identity is its folder's name
        // (`main` in one checkout, anything in another) and products are
        // looked up by it; the name holds whatever the clone is called.
        .package(name: "FlagStorm", path: ".."),
        // The trait must be named here: it brings the malloc interposer that
        // the `mallocCountTotal` metric reads.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "FlagCacheBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FeatureFlags", package: "FlagStorm"),
            ],
            path: "Benchmarks/FlagCacheBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
