#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Process-wide readings from Linux's `/proc/self`: open file descriptors, resident set size, threads.
///
/// The non-allocator half of leak accounting: a connection that forgets to
/// close a socket shows up as descriptor growth, a task that never ends as
/// thread or memory growth. Each reading is a few system calls; take them
/// outside measured windows. Every function returns `nil` where `/proc` is
/// unavailable (e.g. macOS) rather than a wrong 0.
public enum ProcessProbe {
    /// The number of open file descriptors, counted in `/proc/self/fd` (the descriptor used to read it excluded).
    ///
    /// The figure behind `leaks.fdGrowth`.
    public static func openFileDescriptorCount() -> Int? {
        openFileDescriptorNumbers()?.count
    }

    /// The numbers in `/proc/self/fd`, less the descriptor used to read them; `nil` without `/proc`.
    static func openFileDescriptorNumbers() -> [Int32]? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        let ownDescriptor = dirfd(directory)
        var numbers: [Int32] = []
        while let entry = readdir(directory) {
            let number: Int32? = withUnsafePointer(to: &entry.pointee.d_name) { name in
                name.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    Int32(String(cString: $0))
                }
            }
            // Skips "." and "..", which are not numbers.
            guard let number, number != ownDescriptor else { continue }
            numbers.append(number)
        }
        return numbers
    }

    /// The open file descriptors and what each refers to (`readlink` of `/proc/self/fd/N`: `socket:[123]`, `anon_inode:[eventfd]`, a path), or `nil` without `/proc`.
    ///
    /// For naming what a descriptor leak was: the report lists the descriptors
    /// open after the run that were not open before it.
    public static func openFileDescriptors() -> [Int32: String]? {
        guard let numbers = openFileDescriptorNumbers() else { return nil }
        var targets: [Int32: String] = [:]
        var buffer = [CChar](repeating: 0, count: 4_096)
        for number in numbers {
            let length = readlink("/proc/self/fd/\(number)", &buffer, buffer.count - 1)
            targets[number] = length > 0 ? String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        }
        return targets
    }

    /// The resident set size in bytes, from `/proc/self/statm` (resident pages × page size).
    ///
    /// Memory the process really occupies, allocator caches included; a
    /// coarse cross-check on allocator figures, and the only memory figure
    /// when the allocator cannot be verified.
    public static func residentSetBytes() -> Int? {
        guard let statm = ProcFile.contents(of: "/proc/self/statm") else { return nil }
        let fields = statm.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The number of threads in the process, from the `Threads:` line of `/proc/self/status`.
    ///
    /// Growth across churn rounds means something starts threads and never stops them.
    public static func threadCount() -> Int? {
        guard let status = ProcFile.contents(of: "/proc/self/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(line.dropFirst("Threads:".count).trimmingPrefix(while: { $0 == " " || $0 == "\t" }))
        }
        return nil
    }
}
