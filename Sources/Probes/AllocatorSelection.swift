#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Makes jemalloc the process's allocator at start-up when its shared library is installed, by re-executing the process under `LD_PRELOAD`.
///
/// Why at run time: the package never links jemalloc, so it builds the same
/// on a machine with or without `libjemalloc-dev`, and SwiftPM's cached
/// manifest cannot pin a stale answer (a manifest that looked at the file
/// system kept "not installed" after the package was installed). A process
/// cannot swap its `malloc` once running, so the only run-time way in is a
/// re-execution with jemalloc preloaded, done before anything else (no
/// threads, no allocations worth keeping). Whatever happens, ``AllocatorProbe``
/// still verifies which allocator really serves `malloc`; this type only
/// chooses, and remembers why, for the report's `environment.allocator`.
///
/// Environment:
/// - `FLAGSTORM_ALLOCATOR=glibc` (or `FLAGSTORM_NO_JEMALLOC=1`, which
///   ThreadSanitizer runs set) keeps the C library's `malloc`;
///   `jemalloc` requires it (a missing library is then reported, not
///   ignored); `auto` (the default) uses jemalloc when it is found.
/// - `FLAGSTORM_JEMALLOC_PATH` names the shared library to preload instead
///   of searching the usual places.
public enum AllocatorSelection {
    /// What the user asked for, from `FLAGSTORM_ALLOCATOR` (and `FLAGSTORM_NO_JEMALLOC`).
    public enum Request: String, Sendable {
        /// jemalloc when found, else glibc.
        case auto
        /// jemalloc, and say so loudly when it cannot be had.
        case jemalloc
        /// The C library's own `malloc`.
        case glibc
    }

    /// The environment variable that marks the re-executed process, so it never re-executes again.
    static let markerVariable = "FLAGSTORM_ALLOCATOR_REEXEC"
    /// Where the re-executed process finds the `LD_PRELOAD` it started with (restored, so child processes inherit the user's own).
    static let originalPreloadVariable = "FLAGSTORM_ORIGINAL_LD_PRELOAD"

    /// The places jemalloc's shared library is searched for, Debian's multiarch folders first.
    public static let searchPaths = [
        "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
        "/usr/lib64/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2", "/usr/local/lib/libjemalloc.so.2",
        "/usr/local/lib/libjemalloc.so",
    ]

    /// The request in the environment; an unknown value is reported by ``requestProblem``.
    public static var request: Request {
        if environment("FLAGSTORM_NO_JEMALLOC").map({ !$0.isEmpty && $0 != "0" }) == true { return .glibc }
        return environment("FLAGSTORM_ALLOCATOR").flatMap { Request(rawValue: $0.lowercased()) } ?? .auto
    }

    /// A line saying what is wrong with `FLAGSTORM_ALLOCATOR`, or `nil` when it is unset or valid.
    public static var requestProblem: String? {
        guard let value = environment("FLAGSTORM_ALLOCATOR"), !value.isEmpty,
              Request(rawValue: value.lowercased()) == nil
        else { return nil }
        return "FLAGSTORM_ALLOCATOR=\(value) is not one of auto, jemalloc, glibc"
    }

    /// The jemalloc shared library this process would preload, or `nil` when none is installed.
    public static func jemallocLibraryPath() -> String? {
        if let path = environment("FLAGSTORM_JEMALLOC_PATH"), !path.isEmpty {
            return access(path, R_OK) == 0 ? path : nil
        }
        return searchPaths.first { access($0, R_OK) == 0 }
    }

    /// Whether some loaded object already exports jemalloc's `mallctl` (linked, or preloaded by the user or by ``reexecuteUnderJemallocIfAvailable()``).
    public static var jemallocIsLoaded: Bool {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallctl") != nil
    }

    /// Whether ThreadSanitizer's runtime is in the process (its interceptors serve `malloc`; preloading jemalloc beside them crashes).
    static var underThreadSanitizer: Bool {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__tsan_init") != nil
    }

    /// Re-executes this process with jemalloc preloaded when it is installed, requested (or not refused) and not yet loaded; returns only when it does not re-execute.
    ///
    /// Call it first thing in `main`. The re-executed process sees the same
    /// arguments and environment, plus the marker and jemalloc in
    /// `LD_PRELOAD`; it restores the original `LD_PRELOAD` at once (children
    /// it starts get the user's own). If `execv` fails the process carries on
    /// with glibc and ``outcome`` says why.
    public static func reexecuteUnderJemallocIfAvailable() {
        if environment(markerVariable) != nil {
            // The re-executed process: put the user's LD_PRELOAD back.
            if let original = environment(originalPreloadVariable) {
                if original.isEmpty { unsetenv("LD_PRELOAD") } else { setenv("LD_PRELOAD", original, 1) }
                unsetenv(originalPreloadVariable)
            }
            return
        }
        guard request != .glibc, !jemallocIsLoaded, !underThreadSanitizer, let library = jemallocLibraryPath()
        else { return }
        let original = environment("LD_PRELOAD") ?? ""
        setenv(originalPreloadVariable, original, 1)
        setenv(markerVariable, library, 1)
        setenv("LD_PRELOAD", original.isEmpty ? library : library + ":" + original, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when execv failed: carry on with glibc, and say why.
        let reason = String(cString: strerror(errno))
        setenv(markerVariable, "failed: \(reason)", 1)
        if original.isEmpty { unsetenv("LD_PRELOAD") } else { setenv("LD_PRELOAD", original, 1) }
        unsetenv(originalPreloadVariable)
    }

    /// Why the process has the allocator it has, in a few words for the report (`nil` when jemalloc serves as chosen).
    ///
    /// - Parameter probe: the verified allocator.
    public static func outcome(for probe: AllocatorProbe) -> String? {
        if probe.allocator == .jemalloc { return nil }
        if let marker = environment(markerVariable), marker.hasPrefix("failed: ") {
            return "re-executing under jemalloc \(marker)"
        }
        if underThreadSanitizer { return "ThreadSanitizer serves malloc" }
        switch request {
        case .glibc:
            return environment("FLAGSTORM_NO_JEMALLOC") != nil ? "FLAGSTORM_NO_JEMALLOC set" : "FLAGSTORM_ALLOCATOR=glibc"
        case .jemalloc, .auto:
            if jemallocLibraryPath() == nil {
                if let path = environment("FLAGSTORM_JEMALLOC_PATH"), !path.isEmpty {
                    return "FLAGSTORM_JEMALLOC_PATH=\(path) is not a readable file"
                }
                return "libjemalloc.so.2 not found; apt-get install libjemalloc2 to measure with jemalloc"
            }
            return jemallocIsLoaded ? "jemalloc loaded but not serving malloc" : "jemalloc found but not preloaded"
        }
    }

    /// An environment variable's value, or `nil`.
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
