import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `flagstorm` binary that `swift test` built beside this test bundle, run as a user runs it: a child process
/// in the package root, its exit code and output captured.
///
/// Why a process and not the command types: exit codes, signals, report folders and the allocator chosen at
/// start-up (a re-execution under `LD_PRELOAD`) exist only at that level.
struct FlagStormProcess {
    /// What a finished run left behind.
    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    /// The package root (Scenarios/, Reports/baselines), from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The binary: `flagstorm` in the folder of the running test bundle.
    static let binary: URL = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("flagstorm")
    }()

    /// Whether this test process runs under ThreadSanitizer (then so does the binary beside it).
    static let underThreadSanitizer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__tsan_init") != nil

    /// Starts `flagstorm ARGUMENTS` with `environment` added to this process's, output to pipes.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        var merged = ProcessInfo.processInfo.environment
        // Never inherit a caller's allocator choice or preload marker: each test says what it wants.
        for name in ["FLAGSTORM_ALLOCATOR", "FLAGSTORM_ALLOCATOR_REEXEC", "FLAGSTORM_ORIGINAL_LD_PRELOAD"] { merged[name] = nil }
        merged.merge(environment) { $1 }
        process.environment = merged
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, output, errors)
    }

    /// Runs `flagstorm ARGUMENTS` to the end.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let (process, output, errors) = try start(arguments, environment: environment)
        // Read both pipes to their end before waiting, on two threads, so a chatty child never blocks on a full pipe.
        let collected = CollectedOutput()
        let group = DispatchGroup()
        for (pipe, isOutput) in [(output, true), (errors, false)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.store(String(decoding: data, as: UTF8.self), isOutput: isOutput)
                group.leave()
            }
        }
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: collected.output, errors: collected.errors)
    }

    /// A fresh, empty folder for one test's reports.
    static func temporaryFolder(_ label: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flagstorm-cli-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// Two pipes' text, stored from two threads.
final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var texts = ["", ""]
    func store(_ text: String, isOutput: Bool) { lock.withLock { texts[isOutput ? 0 : 1] = text } }
    var output: String { lock.withLock { texts[0] } }
    var errors: String { lock.withLock { texts[1] } }
}
