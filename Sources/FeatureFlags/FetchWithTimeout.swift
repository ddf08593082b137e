/// Runs one fetch against a deadline on the injected clock.
///
/// The timeout races the fetch in a task group, so it follows the injected
/// clock (virtual in tests and simulations) and cancels the fetch when it fires.
/// A fetcher that ignores cancellation delays the group's exit, which is why
/// ``FlagFetcher`` asks implementations to honour it (the HTTP fetcher does).
enum FetchWithTimeout {
    static func run(
        _ fetcher: any FlagFetcher, host: HostKey, clock: any FlagClock, timeout: Duration
    ) async throws -> FlagFetchResult {
        #if FLAGSTORM_PLANTED_DATA_RACE
        PlantedDataRace.fetchesStarted += 1
        #endif
        #if FLAGSTORM_PERTURB
        await SchedulePerturbation.point()
        #endif
        let deadline = clock.now() + timeout
        return try await withThrowingTaskGroup(of: FlagFetchResult?.self) { group in
            #if FLAGSTORM_PLANTED_DOUBLE_FETCH
            // A planted regression (built only with -DFLAGSTORM_PLANTED_DOUBLE_FETCH, see .ci/planted-regression.sh):
            // every fetch asks the server twice, so each TTL window costs two requests.
            group.addTask {
                _ = try? await fetcher.fetchFlag(for: host)
                return try await fetcher.fetchFlag(for: host)
            }
            #else
            group.addTask { try await fetcher.fetchFlag(for: host) }
            #endif
            group.addTask {
                try await clock.sleep(until: deadline)
                return nil
            }
            defer { group.cancelAll() }
            if let first = try await group.next(), let result = first {
                return result
            }
            try Task.checkCancellation()
            throw FlagFetchError(.timeout, message: "no answer within \(timeout)")
        }
    }
}
