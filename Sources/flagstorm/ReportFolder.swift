import Foundation

/// One run's report folder, `<parent>/<timestamp>[-K]`, created exclusively so that two runs never share one.
///
/// Why exclusive: runs started within the same second used to get the same
/// timestamp and wrote into one folder (its summary.md describing one run, its
/// JSON files both). `mkdir` fails when the folder exists, so the second run
/// takes `<timestamp>-2`, and so on; names still sort by time.
struct ReportFolder: Sendable {
    /// The folder itself.
    let url: URL
    /// Its name inside the parent (what `latest` points at).
    let name: String
    /// The parent (`--out`).
    let parent: URL

    /// Creates a new, empty folder in `parent`; an unwritable parent is one line saying what to do.
    static func create(in parent: String) throws -> ReportFolder {
        let parentURL = URL(fileURLWithPath: parent.isEmpty ? "." : parent)
        do {
            try FileManager.default.createDirectory(at: parentURL, withIntermediateDirectories: true)
        } catch {
            throw RunError("cannot create the output folder \(parentURL.path): \(error.localizedDescription); pass a writable --out")
        }
        let stamp = timestamp()
        for attempt in 1...1_000 {
            let name = attempt == 1 ? stamp : "\(stamp)-\(attempt)"
            let url = parentURL.appendingPathComponent(name)
            if mkdir(url.path, 0o755) == 0 { return ReportFolder(url: url, name: name, parent: parentURL) }
            if errno != EEXIST {
                throw RunError("cannot create the output folder \(url.path): \(String(cString: strerror(errno))); pass a writable --out")
            }
        }
        throw RunError("cannot create a new report folder in \(parentURL.path): 1,000 folders named \(stamp)… exist")
    }

    /// The file `name` inside the folder.
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `data` to `file` atomically (a temporary file, then a rename), so no reader ever sees half a report.
    static func write(_ data: Data, to file: URL) throws {
        do {
            try data.write(to: file, options: .atomic)
        } catch {
            throw RunError("cannot write \(file.path): \(error.localizedDescription)")
        }
    }

    /// Makes `latest` in the parent point at this folder; call only once the run is complete.
    ///
    /// Replaces `latest` only when it is a symbolic link (or absent): a real folder or file of that name (an
    /// artifact restore that dropped symlinks) is left alone and named, never deleted with its contents.
    func pointLatest() {
        let link = parent.appendingPathComponent("latest")
        if let attributes = try? FileManager.default.attributesOfItem(atPath: link.path),
           attributes[.type] as? FileAttributeType != .typeSymbolicLink {
            FileHandle.standardError.write(Data("flagstorm: note: \(link.path) is not a symbolic link; left as it is, so `latest` does not point at this run\n".utf8))
            return
        }
        // A new link beside the old one, renamed over it: `latest` is never missing or half-made.
        let temporary = parent.appendingPathComponent(".latest-\(getpid())")
        try? FileManager.default.removeItem(at: temporary)
        guard (try? FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: name)) != nil,
              rename(temporary.path, link.path) == 0
        else {
            try? FileManager.default.removeItem(at: temporary)
            return
        }
    }

    /// Removes the folder if nothing was written into it (an interrupted run that finished no scenario).
    func removeIfEmpty() {
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: url.path), contents.isEmpty {
            try? FileManager.default.removeItem(at: url)
        }
    }

    /// `yyyyMMddTHHmmssZ` in UTC.
    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: Date())
    }
}
