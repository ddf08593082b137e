#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads small `/proc` files with plain POSIX calls.
///
/// `/proc` files report a size of 0, so they are read until end of file;
/// no Foundation, so probes can run anywhere without its start-up cost.
enum ProcFile {
    /// The whole file as UTF-8 text, or `nil` if it cannot be opened or read.
    static func contents(of path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let readCount = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if readCount < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if readCount == 0 { break }
            contents.append(contentsOf: chunk[0 ..< readCount])
        }
        return String(decoding: contents, as: UTF8.self)
    }
}
