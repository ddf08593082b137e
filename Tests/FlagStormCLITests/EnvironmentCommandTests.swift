import Foundation
import Probes
import StormReport
import Testing

/// The allocator is chosen when flagstorm starts, never when it is built: the same binary measures with jemalloc
/// where `libjemalloc.so.2` is installed and with glibc where it is not, and says which.
@Suite struct EnvironmentCommandTests {
    /// The environment block `flagstorm environment --json` prints, run with `environment`.
    static func environmentBlock(_ environment: [String: String] = [:]) throws -> EnvironmentInfo {
        let result = try FlagStormProcess.run(["environment", "--json"], environment: environment)
        #expect(result.status == 0, "\(result.errors)")
        return try JSONDecoder().decode(EnvironmentInfo.self, from: Data(result.output.utf8))
    }

    @Test func theDefaultAllocatorIsJemallocExactlyWhenItsLibraryIsInstalled() throws {
        let environment = try Self.environmentBlock()
        if FlagStormProcess.underThreadSanitizer {
            #expect(environment.allocator == "unknown (ThreadSanitizer serves malloc)")
        } else if AllocatorSelection.jemallocLibraryPath() != nil {
            #expect(environment.allocator.hasPrefix("jemalloc 5."), "\(environment.allocator)")
        } else {
            #expect(environment.allocator.hasPrefix("glibc 2."), "\(environment.allocator)")
            #expect(environment.allocator.contains("libjemalloc.so.2 not found"))
        }
    }

    @Test func glibcCanBeForcedAndSaysWhy() throws {
        let environment = try Self.environmentBlock(["FLAGSTORM_ALLOCATOR": "glibc"])
        if FlagStormProcess.underThreadSanitizer {
            #expect(environment.allocator.hasPrefix("unknown ("))
        } else {
            #expect(environment.allocator == "glibc \(AllocatorProbe.glibcVersion) (FLAGSTORM_ALLOCATOR=glibc)")
        }
    }

    @Test func anUnknownAllocatorRequestIsBadInput() throws {
        let result = try FlagStormProcess.run(["environment"], environment: ["FLAGSTORM_ALLOCATOR": "tcmalloc"])
        #expect(result.status == 64)
        #expect(result.errors == "flagstorm: error: FLAGSTORM_ALLOCATOR=tcmalloc is not one of auto, jemalloc, glibc\n")
    }

    @Test(.enabled(if: AllocatorSelection.jemallocLibraryPath() == nil && !FlagStormProcess.underThreadSanitizer,
                   "only where jemalloc is missing"))
    func requiringJemallocWhereItIsMissingFailsWithWhatToInstall() throws {
        let result = try FlagStormProcess.run(["environment"], environment: ["FLAGSTORM_ALLOCATOR": "jemalloc"])
        #expect(result.status == 70)
        #expect(result.errors.contains("apt-get install libjemalloc2"))
    }

    @Test func theBlockNamesVersionCommitAndCommandLine() throws {
        let environment = try Self.environmentBlock()
        #expect(environment.version == FlagStormVersion.current)
        #expect(environment.commandLine == "flagstorm environment --json")
        // The tests run from a checkout: the commit is the checkout's HEAD.
        if FileManager.default.fileExists(atPath: FlagStormProcess.packageRoot.appendingPathComponent(".git").path) {
            #expect(environment.commit?.count == 40)
        }
        let version = try FlagStormProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.output.hasPrefix(FlagStormVersion.current + " "))
    }
}
