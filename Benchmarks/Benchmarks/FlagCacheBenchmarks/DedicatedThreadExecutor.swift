import Dispatch
import Foundation
import Synchronization

/// A task executor that runs every job it is given on one thread of its own.
///
/// Why the concurrent benchmarks need it: package-benchmark runs an async
/// benchmark by blocking one thread of Swift's cooperative pool on a semaphore
/// (`Benchmark.runAsync()`), and that pool is as wide as the machine has cores.
/// On a 2-core machine only one pool thread is left, so two child tasks on the
/// global executor take turns instead of running side by side. Child tasks
/// started with this executor as their preference each get a core.
///
/// The cost: while a task has an executor preference, every hop of a
/// nonisolated async call reads that preference under the task's status-record
/// lock (Swift 6.3 runtime, seen with perf: `withStatusRecordLock` under
/// `swift_task_switch`), which adds tens of nanoseconds per async call. That is
/// why the `.1task` controls run on the same kind of executor: the scaling ratio
/// compares like with like.
final class DedicatedThreadExecutor: TaskExecutor {
    private struct Queue {
        var jobs: [UnownedJob] = []
        var stopped = false
    }

    private let queue = Mutex(Queue())
    private let wakeUp = DispatchSemaphore(value: 0)

    /// Starts the executor's thread, called `name`.
    init(name: String) {
        let thread = Thread { [self] in runJobs() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.jobs.append(job) }
        wakeUp.signal()
    }

    /// Lets the thread finish once the jobs already enqueued have run.
    func stop() {
        queue.withLock { $0.stopped = true }
        wakeUp.signal()
    }

    private func runJobs() {
        while true {
            wakeUp.wait()
            let (job, stopped) = queue.withLock { queue -> (UnownedJob?, Bool) in
                (queue.jobs.isEmpty ? nil : queue.jobs.removeFirst(), queue.stopped)
            }
            if let job {
                job.runSynchronously(on: asUnownedTaskExecutor())
            } else if stopped {
                return
            }
        }
    }
}
