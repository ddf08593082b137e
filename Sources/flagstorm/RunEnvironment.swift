import Foundation
import Probes
import StormReport

/// Where this run happens, for the report's `environment` block.
enum RunEnvironment {
    /// The allocator serving `malloc`, as verified at run time (`jemalloc 5.3.0`, `glibc 2.36 (why not jemalloc)`, `unknown (…)`).
    ///
    /// glibc's version comes from `gnu_get_libc_version`; when jemalloc is not the allocator the reason follows in
    /// parentheses, so a report measured with glibc says why.
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

    /// The environment block for a report written now.
    static func current(allocator: AllocatorProbe = AllocatorProbe()) -> EnvironmentInfo {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return EnvironmentInfo(toolchain: toolchain, cores: ProcessInfo.processInfo.activeProcessorCount,
                               allocator: allocatorName(allocator), startedAt: formatter.string(from: Date()), build: build,
                               version: FlagStormVersion.current, commit: commit, commandLine: commandLine)
    }

    /// `debug` or `release`.
    static var build: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    /// `flagstorm --version`: the version, the commit when known, and the build.
    static var versionLine: String {
        "\(FlagStormVersion.current)" + (commit.map { " (commit \($0.prefix(12)))" } ?? "") + ", \(toolchain), \(build) build"
    }

    /// This process's arguments as one shell-quoted line (`flagstorm run --policy recommended 'a b.yaml'`).
    static var commandLine: String {
        var arguments = CommandLine.arguments
        if let first = arguments.first { arguments[0] = URL(fileURLWithPath: first).lastPathComponent }
        return arguments.map(shellQuoted).joined(separator: " ")
    }

    /// `text` as one shell word: bare when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ text: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        if !text.isEmpty, text.unicodeScalars.allSatisfy({ safe.contains($0) }) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// The git commit checked out where this binary was built (`…/<checkout>/.build/<config>/flagstorm`), read from
    /// `.git` directly (no `git` process); `nil` when the binary does not sit in a checkout.
    static let commit: String? = {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while folder.path != "/" {
            if let commit = GitCheckout.headCommit(in: folder) { return commit }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }()

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

/// Reads a checkout's `HEAD` commit from its `.git` folder (or a worktree's `.git` file), without running git.
enum GitCheckout {
    /// The commit `HEAD` names in the checkout at `folder`, or `nil` when `folder` holds no checkout.
    static func headCommit(in folder: URL) -> String? {
        let dotGit = folder.appendingPathComponent(".git")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isFolder) else { return nil }
        var gitFolder = dotGit
        if !isFolder.boolValue {
            // A worktree: ".git" is a file saying "gitdir: PATH".
            guard let text = read(dotGit), text.hasPrefix("gitdir: ") else { return nil }
            let path = String(text.dropFirst("gitdir: ".count))
            gitFolder = path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
        }
        guard let head = read(gitFolder.appendingPathComponent("HEAD")) else { return nil }
        guard head.hasPrefix("ref: ") else { return isCommit(head) ? head : nil }
        let reference = String(head.dropFirst("ref: ".count))
        var folders = [gitFolder]
        if let common = read(gitFolder.appendingPathComponent("commondir")) {
            folders.append(common.hasPrefix("/") ? URL(fileURLWithPath: common) : gitFolder.appendingPathComponent(common))
        }
        for candidate in folders {
            if let commit = read(candidate.appendingPathComponent(reference)), isCommit(commit) { return commit }
            if let packed = read(candidate.appendingPathComponent("packed-refs")) {
                for line in packed.split(separator: "\n") where line.hasSuffix(" " + reference) {
                    let commit = String(line.prefix { $0 != " " })
                    if isCommit(commit) { return commit }
                }
            }
        }
        return nil
    }

    static func read(_ file: URL) -> String? {
        (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func isCommit(_ text: String) -> Bool {
        text.count == 40 && text.allSatisfy(\.isHexDigit)
    }
}
