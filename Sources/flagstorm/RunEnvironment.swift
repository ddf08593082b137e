import Foundation
import Probes
import StormReport

/// Where this run happens, for the report's `environment` block.
enum RunEnvironment {
    /// The allocator serving `malloc`, as verified at run time (`jemalloc 5.3.0`, `glibc`, `unknown (…)`).
    /// glibc's version comes from `gnu_get_libc_version`; when jemalloc is not the allocator the reason follows in parentheses
    /// (`glibc 2.36 (libjemalloc.so.2 not found; …)`), so a report measured with glibc says why.
    static func allocatorName(_ probe: AllocatorProbe) -> String {
        let reason = AllocatorSelection.outcome(for: probe)
        switch probe.allocator {
        case .jemalloc:
            let version = probe.jemallocVersion.map { " " + ($0.split(separator: "-").first.map(String.init) ?? $0) } ?? ""
            return "jemalloc" + version
        case .glibc:
            return "glibc \(AllocatorProbe.glibcVersion)" + (reason.map { " (\($0))" } ?? "")
        case .unknown:
            return reason.map { "unknown (\($0))" } ?? probe.name
        }
    }

    static func current(allocator: AllocatorProbe = AllocatorProbe()) -> EnvironmentInfo {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        return EnvironmentInfo(toolchain: toolchain, cores: ProcessInfo.processInfo.activeProcessorCount,
                               allocator: allocatorName(allocator), startedAt: formatter.string(from: Date()), build: build)
    }

    static var toolchain: String {
        #if compiler(>=6.4)
        "Swift 6.4 or later"
        #elseif compiler(>=6.3)
        "Swift 6.3"
        #elseif compiler(>=6.2)
        "Swift 6.2"
        #else
        "Swift before 6.2"
        #endif
    }
}
