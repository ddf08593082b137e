import Foundation
import StormEngine
import Synchronization

/// A one-line progress display on standard error, only when it is a terminal.
///
/// Why standard error and only on a terminal: CI logs and pipes get the
/// summaries alone; a person watching sees the run move.
final class ProgressLine: Sendable {
    private let width = Mutex(0)

    static func ifTerminal() -> ProgressLine? {
        isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil
    }

    var callback: @Sendable (RunProgress) -> Void {
        { [self] progress in
            let text = String(format: "%@  %.1fs  opened %d  live %d  fetches %d",
                              progress.label, progress.elapsedSeconds, progress.opened, progress.live, progress.fetches)
            self.show(text)
        }
    }

    func show(_ text: String) {
        let padding = width.withLock { width in
            defer { width = text.count }
            return max(width - text.count, 0)
        }
        FileHandle.standardError.write(Data(("\r" + text + String(repeating: " ", count: padding)).utf8))
    }

    func clear() {
        let count = width.withLock { width in
            defer { width = 0 }
            return width
        }
        if count > 0 { FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: count) + "\r").utf8)) }
    }
}
