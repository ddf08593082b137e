import FeatureFlags
import FeatureFlagsHTTP
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// `HTTPFlagFetcher` against a real HTTP/1.1 server on loopback.
@Suite(.timeLimit(.minutes(1)))
struct HTTPFlagFetcherTests {

    // MARK: Decoding the answer

    @Test func trueFlagIsEnabled() async throws {
        try await withServerAndFetcher(replying: .flag("true")) { server, fetcher in
            let result = try await fetcher.fetchFlag(for: testHost)
            #expect(result == FlagFetchResult(enabled: true, ttl: nil))
            #expect(server.requests.count == 1)
        }
    }

    @Test func falseFlagIsDisabled() async throws {
        try await withServerAndFetcher(replying: .flag("false")) { _, fetcher in
            let result = try await fetcher.fetchFlag(for: testHost)
            #expect(result.enabled == false)
        }
    }

    @Test(arguments: ["TRUE", "True"])
    func flagValueIsComparedCaseInsensitively(value: String) async throws {
        try await withServerAndFetcher(replying: .flag(value)) { _, fetcher in
            let result = try await fetcher.fetchFlag(for: testHost)
            #expect(result.enabled)
        }
    }

    @Test(arguments: ["1", "yes", "", "truee"])
    func onlyTrueEnables(value: String) async throws {
        try await withServerAndFetcher(replying: .flag(value)) { _, fetcher in
            let result = try await fetcher.fetchFlag(for: testHost)
            #expect(result.enabled == false)
        }
    }

    @Test(arguments: [
        #"{"flags":[{"name":"someOtherFlag","value":"true"}]}"#,
        #"{"flags":[]}"#,
        #"{}"#,
        #"{"flags":null}"#,
    ])
    func absentFlagIsDisabled(body: String) async throws {
        try await withServerAndFetcher(replying: .json(body)) { _, fetcher in
            let result = try await fetcher.fetchFlag(for: testHost)
            #expect(result == FlagFetchResult(enabled: false, ttl: nil))
        }
    }

    @Test func configuredFlagNameIsTheOneRead() async throws {
        let body = #"{"flags":[{"name":"x.enableTelemetryForGoDriver","value":"true"},"#
            + #"{"name":"\#(HTTPFlagFetcherConfiguration.defaultFlagName)","value":"false"}]}"#
        try await withServerAndFetcher(
            replying: .json(body), configure: { $0.flagName = "x.enableTelemetryForGoDriver" }
        ) { _, fetcher in
            let result = try await fetcher.fetchFlag(for: testHost)
            #expect(result.enabled)
        }
    }

    @Test(arguments: [
        (#""ttl_seconds":900"#, Duration.seconds(900)),
        (#""ttlSeconds":60"#, Duration.seconds(60)),
        (#""ttl_seconds":1.5"#, Duration.milliseconds(1500)),
        (#""ttl_seconds":30,"ttlSeconds":60"#, Duration.seconds(30)),
    ])
    func advertisedTTLIsDecoded(member: String, expected: Duration) async throws {
        try await withServerAndFetcher(replying: .flag("true", extra: member)) { _, fetcher in
            let result = try await fetcher.fetchFlag(for: testHost)
            #expect(result == FlagFetchResult(enabled: true, ttl: expected))
        }
    }

    @Test(arguments: [#""ttl_seconds":0"#, #""ttl_seconds":-5"#, #""ttlSeconds":"soon""#, #""ttl_seconds":null"#])
    func unusableTTLIsIgnored(member: String) async throws {
        try await withServerAndFetcher(replying: .flag("true", extra: member)) { _, fetcher in
            let result = try await fetcher.fetchFlag(for: testHost)
            #expect(result == FlagFetchResult(enabled: true, ttl: nil))
        }
    }

    @Test(arguments: [
        "not json",
        "",
        "[]",
        #"{"flags":[{"name":"x","value":true}]}"#,
        #"{"flags":"#,
        #"{"flags":{"name":"x"}}"#,
    ])
    func invalidJSONIsInvalidResponse(body: String) async throws {
        try await withServerAndFetcher(replying: .json(body)) { _, fetcher in
            let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
            #expect(error?.kind == .invalidResponse)
        }
    }

    @Test func bodyLargerThanTheLimitIsInvalidResponse() async throws {
        let padding = String(repeating: "x", count: 1000)
        try await withServerAndFetcher(
            replying: .flag("true", extra: #""padding":"\#(padding)""#),
            configure: { $0.maximumBodyBytes = 256 }
        ) { _, fetcher in
            let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
            #expect(error?.kind == .invalidResponse)
        }
    }

    // MARK: Status codes and Retry-After

    @Test func serverErrorIsHTTPStatusError() async throws {
        try await withServerAndFetcher(
            replying: .respond(status: 500, headers: [:], body: "boom")
        ) { _, fetcher in
            let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
            #expect(error?.kind == .httpStatus(500))
            #expect(error?.retryAfter == nil)
            #expect(error?.message.contains("boom") == true)
        }
    }

    @Test func tooManyRequestsCarriesRetryAfterSeconds() async throws {
        try await withServerAndFetcher(
            replying: .respond(status: 429, headers: ["Retry-After": "7"], body: "")
        ) { _, fetcher in
            let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
            #expect(error?.kind == .httpStatus(429))
            #expect(error?.retryAfter == .seconds(7))
        }
    }

    @Test func serviceUnavailableCarriesRetryAfter() async throws {
        try await withServerAndFetcher(
            replying: .respond(status: 503, headers: ["Retry-After": "120"], body: "maintenance")
        ) { _, fetcher in
            let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
            #expect(error?.kind == .httpStatus(503))
            #expect(error?.retryAfter == .seconds(120))
        }
    }

    @Test func pastHTTPDateRetryAfterMeansNoWait() async throws {
        try await withServerAndFetcher(
            replying: .respond(status: 503, headers: ["Retry-After": "Sun, 06 Nov 1994 08:49:37 GMT"], body: "")
        ) { _, fetcher in
            let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
            #expect(error?.kind == .httpStatus(503))
            #expect(error?.retryAfter == .zero)
        }
    }

    @Test func otherSuccessStatusIsAnError() async throws {
        try await withServerAndFetcher(
            replying: .respond(status: 204, headers: [:], body: "")
        ) { _, fetcher in
            let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
            #expect(error?.kind == .httpStatus(204))
        }
    }

    @Test func connectionIsReusedAfterAnErrorStatus() async throws {
        // The error body is drained (up to the body limit), so the connection
        // stays usable and the next fetch goes over it. The body is large so
        // that it cannot already be buffered when the head arrives.
        let errorBody = "busy" + String(repeating: ".", count: 300_000)
        let replies = Mutex(0)
        try await withLoopbackServer(replying: { _ in
            let index = replies.withLock { count in
                count += 1
                return count
            }
            return index == 1 ? .respond(status: 503, headers: [:], body: errorBody) : .flag("true")
        }) { server in
            try await withFetcher(server) { fetcher in
                let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
                #expect(error?.kind == .httpStatus(503))
                let result = try await fetcher.fetchFlag(for: testHost)
                #expect(result.enabled)
                #expect(server.requests.count == 2)
                #expect(Set(server.requests.map(\.connection)).count == 1, "both requests on one connection")
            }
        }
    }

    // MARK: What is sent

    @Test func defaultUserAgentIsSent() async throws {
        try await withServerAndFetcher(replying: .flag("true")) { server, fetcher in
            _ = try await fetcher.fetchFlag(for: testHost)
            #expect(server.requests.map(\.userAgent) == ["flagstorm/1.0.0"])
            #expect(server.requests.map(\.method) == ["GET"])
        }
    }

    @Test func configuredUserAgentIsSent() async throws {
        try await withServerAndFetcher(
            replying: .flag("true"), configure: { $0.userAgent = "DatabricksGoDriver/9.9.9" }
        ) { server, fetcher in
            _ = try await fetcher.fetchFlag(for: testHost)
            #expect(server.requests.map(\.userAgent) == ["DatabricksGoDriver/9.9.9"])
        }
    }

    @Test func pathCarriesDriverNameAndVersion() async throws {
        try await withServerAndFetcher(
            replying: .flag("true"),
            configure: {
                $0.driverName = "SWIFT"
                $0.driverVersion = "2.3.4"
            }
        ) { server, fetcher in
            _ = try await fetcher.fetchFlag(for: testHost)
            #expect(server.requests.map(\.path) == ["/api/2.0/connector-service/feature-flags/SWIFT/2.3.4"])
        }
    }

    @Test func defaultPathIsTheReferenceDesigns() async throws {
        try await withServerAndFetcher(replying: .flag("true")) { server, fetcher in
            _ = try await fetcher.fetchFlag(for: testHost)
            #expect(server.requests.map(\.path) == ["/api/2.0/connector-service/feature-flags/GOLANG/1.0.0"])
        }
    }

    @Test func baseURLOverrideRoutesManyHostsThroughOneServerByHostHeader() async throws {
        // Hosts are spelled untidily; the Host header carries the normalised name,
        // and the server answers per host (even-numbered hosts enabled).
        let count = 50
        try await withLoopbackServer(replying: { request in
            let number = request.host.flatMap { Int($0.split(separator: ".")[0].dropFirst("host-".count)) }
            return .flag(number.map { $0 % 2 == 0 } == true ? "true" : "false")
        }) { server in
            try await withFetcher(server) { fetcher in
                let answers = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                    for number in 0..<count {
                        group.addTask {
                            let host = HostKey("HTTPS://Host-\(number).Example.COM/")
                            return (number, try await fetcher.fetchFlag(for: host).enabled)
                        }
                    }
                    var answers: [Int: Bool] = [:]
                    for try await (number, enabled) in group { answers[number] = enabled }
                    return answers
                }
                #expect(answers.count == count)
                for number in 0..<count {
                    #expect(answers[number] == (number % 2 == 0), "host-\(number)")
                }
                let hosts = server.requests.compactMap(\.host)
                #expect(hosts.count == count)
                #expect(Set(hosts) == Set((0..<count).map { "host-\($0).example.com" }))
            }
        }
    }

    @Test func withoutOverrideTheHostKeyIsTheAddress() async throws {
        try await withLoopbackServer(replying: { _ in .flag("true") }) { server in
            let configuration = HTTPFlagFetcherConfiguration(timeout: .seconds(10))
            try await withFetcher(server, configuration: configuration) { fetcher in
                let host = HostKey("http://127.0.0.1:\(server.port)/")
                let result = try await fetcher.fetchFlag(for: host)
                #expect(result.enabled)
                #expect(server.requests.map(\.host) == ["127.0.0.1:\(server.port)"])
                #expect(server.requests.map(\.path) == ["/api/2.0/connector-service/feature-flags/GOLANG/1.0.0"])
            }
        }
    }

    // MARK: Timeouts, cancellation, transport failures

    @Test func serverThatNeverAnswersTimesOut() async throws {
        try await withServerAndFetcher(
            replying: .neverAnswer, configure: { $0.timeout = .milliseconds(200) }
        ) { server, fetcher in
            let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
            #expect(error?.kind == .timeout)
            #expect(server.requests.count == 1)
        }
    }

    @Test func bodyThatNeverCompletesTimesOut() async throws {
        try await withServerAndFetcher(
            replying: .headThenStall(status: 200), configure: { $0.timeout = .milliseconds(200) }
        ) { _, fetcher in
            let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
            #expect(error?.kind == .timeout)
        }
    }

    @Test func cancellingTheCallerCancelsTheFetch() async throws {
        // The server holds the request forever and the fetch timeout is long, so
        // only the cancellation can end the fetch.
        try await withServerAndFetcher(
            replying: .neverAnswer, configure: { $0.timeout = .seconds(600) }
        ) { server, fetcher in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        let result = try await fetcher.fetchFlag(for: testHost)
                        Issue.record("fetch returned \(result) after cancellation")
                    } catch is CancellationError {
                        // expected
                    } catch {
                        Issue.record("expected CancellationError, got \(error)")
                    }
                }
                await server.waitForRequests(1)
                group.cancelAll()
                try await group.waitForAll()
            }
            #expect(server.requests.count == 1)
        }
    }

    @Test func alreadyCancelledCallerSendsNothing() async throws {
        try await withServerAndFetcher(replying: .flag("true")) { server, fetcher in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await fetcher.fetchFlag(for: testHost)
            }
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(server.requests.isEmpty)
        }
    }

    @Test func refusedConnectionIsTransportError() async throws {
        // Bind a port, then close it, so nothing listens there.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let closed = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(closed.localAddress?.port)
        try await closed.close()

        let fetcher = HTTPFlagFetcher(
            configuration: HTTPFlagFetcherConfiguration(timeout: .seconds(30), baseURLOverride: "http://127.0.0.1:\(port)"),
            owningClientOn: group)
        let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
        #expect(error?.kind == .transport)
        try await fetcher.shutdown()
        try await group.shutdownGracefully()
    }

    @Test func connectionClosedWithoutAnswerIsTransportError() async throws {
        try await withServerAndFetcher(replying: .closeConnection) { server, fetcher in
            let error = await fetchError { try await fetcher.fetchFlag(for: testHost) }
            #expect(error?.kind == .transport)
            #expect(server.requests.count >= 1)
        }
    }

    // MARK: Client ownership

    @Test func borrowingFetcherLeavesTheClientToItsOwner() async throws {
        try await withLoopbackServer(replying: { _ in .flag("true") }) { server in
            let owner = HTTPFlagFetcher(configuration: server.fetcherConfiguration(), owningClientOn: server.group)
            let borrower = HTTPFlagFetcher(client: owner.client, configuration: server.fetcherConfiguration())

            try await borrower.shutdown()  // a no-op: the client is not the borrower's
            let result = try await borrower.fetchFlag(for: testHost)
            #expect(result.enabled)

            try await owner.shutdown()  // shuts the client down for both
            let error = await fetchError { try await borrower.fetchFlag(for: testHost) }
            #expect(error?.kind == .transport)
            #expect(server.requests.count == 1)
        }
    }
}
