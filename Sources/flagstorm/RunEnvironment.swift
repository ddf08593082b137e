import Foundation
import StormReport

/// Where this run happens, for the report's `environment` block.
enum RunEnvironment {
    static func current() -> EnvironmentInfo {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        return EnvironmentInfo(toolchain: toolchain, cores: ProcessInfo.processInfo.activeProcessorCount,
                               allocator: "unverified", startedAt: formatter.string(from: Date()), build: build)
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
