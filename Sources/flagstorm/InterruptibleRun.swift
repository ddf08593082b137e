import Dispatch
import Foundation
import Reporting
import StormReport

/// What a `run` has finished so far, kept so that SIGINT or SIGTERM can still write an honest partial report.
///
/// On the first signal the handler (on its own dispatch queue) takes the lock,
/// writes `summary.md`, `report.html`, `junit.xml` and `verdict.json` for the
/// runs that finished, marked INTERRUPTED and naming the run in progress,
/// removes the folder instead if nothing finished, leaves `latest` where it was
/// (it points only at complete runs), and exits 130. A second signal exits at
/// once. The scenario in progress is abandoned: its figures would describe half
/// a run.
final class InterruptibleRun: @unchecked Sendable {
    /// What the run has done, guarded by `lock`.
    private struct State {
        var summaries: [RunSummary] = []
        var finishing = false
        var interrupted = false
    }

    private let lock = NSLock()
    private var state = State()
    private var sources: [any DispatchSourceSignal] = []
    let folder: ReportFolder
    let formats: [ReportFormat]
    /// Every run planned, in order (`scenario [policy]`, with ` repeat K/N` when repeated).
    let planned: [String]

    /// Starts watching SIGINT and SIGTERM for a run writing into `folder` that will run `planned` in order.
    init(folder: ReportFolder, formats: [ReportFormat], planned: [String]) {
        self.folder = folder
        self.formats = formats
        self.planned = planned
        let queue = DispatchQueue(label: "flagstorm.signals")
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            // Strong on purpose: the sources live until the process exits, so a late signal never meets a freed recorder.
            source.setEventHandler { self.interrupt(by: signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    /// Records a finished run (after its JSON report is written); runs finish in the order planned.
    func finished(_ summary: RunSummary) {
        lock.withLock { state.summaries.append(summary) }
    }

    /// Marks the start of the final writes: a signal from now on exits without touching the folder (every write is atomic).
    func finishing() {
        lock.withLock { state.finishing = true }
    }

    private func interrupt(by signalNumber: Int32) {
        lock.lock()
        if state.interrupted || state.finishing {
            lock.unlock()
            Self.exitNow()
        }
        state.interrupted = true
        let summaries = state.summaries
        let unfinished = Array(planned.dropFirst(summaries.count))
        let name = signalNumber == SIGINT ? "SIGINT" : "SIGTERM"
        if summaries.isEmpty {
            folder.removeIfEmpty()
            FileHandle.standardError.write(Data("\nflagstorm: \(name): interrupted before any run finished; no report written\n".utf8))
        } else {
            let verdict = SuiteVerdict(summaries: summaries, interrupted: true, unfinished: unfinished)
            do {
                try RunCommand.writeRunDocuments(verdict, formats: formats, into: folder)
                FileHandle.standardError.write(Data("\nflagstorm: \(name): \(verdict.headline); partial report in \(folder.url.path)\n".utf8))
            } catch {
                FileHandle.standardError.write(Data("\nflagstorm: \(name): interrupted; the partial report could not be written: \(error)\n".utf8))
            }
        }
        Self.exitNow()
    }

    /// Exits 130 (128 + SIGINT, as shells report an interrupted command) without running other threads' teardown.
    private static func exitNow() -> Never {
        fflush(nil) // every stream, stdout among them
        _exit(130)
    }
}
