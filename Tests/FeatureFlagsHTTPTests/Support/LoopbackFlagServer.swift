import FeatureFlagsHTTP
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The requests the server has seen, and the tests waiting for a number of them.
private final class RequestJournal: Sendable {
    private struct State {
        var requests: [RecordedRequest] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())
    private let connections = Atomic<Int>(0)

    /// A number for a newly accepted connection.
    func nextConnectionNumber() -> Int {
        connections.add(1, ordering: .relaxed).newValue
    }

    func record(_ request: RecordedRequest) {
        let ready = state.withLock { state in
            state.requests.append(request)
            let count = state.requests.count
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    var requests: [RecordedRequest] { state.withLock { $0.requests } }

    func waitFor(count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.requests.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}

/// A real HTTP/1.1 server on 127.0.0.1 (port chosen by the kernel) that answers
/// each request as its script says and records what it saw.
///
/// Create it with ``withLoopbackServer(replying:_:)``, which also shuts it down.
final class LoopbackFlagServer: Sendable {
    /// The event loop group the server runs on; tests put their HTTP client on it too.
    let group: MultiThreadedEventLoopGroup
    /// The port the server is bound to.
    let port: Int
    private let channel: any Channel
    private let journal: RequestJournal

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, journal: RequestJournal) throws {
        guard let port = channel.localAddress?.port else {
            throw ChannelError.unknownLocalAddress
        }
        self.group = group
        self.channel = channel
        self.journal = journal
        self.port = port
    }

    /// Binds a server on `group`, replying to each request with `script(request)`.
    static func start(
        on group: MultiThreadedEventLoopGroup,
        replying script: @escaping @Sendable (RecordedRequest) -> ScriptedReply
    ) async throws -> LoopbackFlagServer {
        let journal = RequestJournal()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        ScriptedFlagHandler(
                            connection: journal.nextConnectionNumber(), journal: journal, script: script))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return try LoopbackFlagServer(group: group, channel: channel, journal: journal)
    }

    /// `http://127.0.0.1:{port}`, for ``HTTPFlagFetcherConfiguration/baseURLOverride``.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request seen so far, in arrival order.
    var requests: [RecordedRequest] { journal.requests }

    /// Returns once at least `count` requests have arrived.
    func waitForRequests(_ count: Int) async {
        await journal.waitFor(count: count)
    }

    /// A fetcher configuration pointing at this server.
    func fetcherConfiguration(timeout: Duration = .seconds(10)) -> HTTPFlagFetcherConfiguration {
        HTTPFlagFetcherConfiguration(timeout: timeout, baseURLOverride: baseURL)
    }

    /// Stops accepting connections (open ones are closed when the group shuts down).
    func close() async throws {
        try await channel.close()
    }
}

/// Answers requests on one connection as the script says.
private final class ScriptedFlagHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let connection: Int
    private let journal: RequestJournal
    private let script: @Sendable (RecordedRequest) -> ScriptedReply
    private var current: RecordedRequest?

    init(connection: Int, journal: RequestJournal, script: @escaping @Sendable (RecordedRequest) -> ScriptedReply) {
        self.connection = connection
        self.journal = journal
        self.script = script
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            current = RecordedRequest(
                connection: connection,
                method: head.method.rawValue,
                path: head.uri,
                host: head.headers.first(name: "host"),
                userAgent: head.headers.first(name: "user-agent"))
        case .body:
            break
        case .end:
            guard let request = current else { return }
            current = nil
            journal.record(request)
            Self.perform(script(request), on: context.channel)
        }
    }

    /// Writes `reply` through the channel, so a gated reply can go out from any thread.
    private static func perform(_ reply: ScriptedReply, on channel: any Channel) {
        switch reply {
        case .respond(let status, let headers, let body):
            var head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status))
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            head.headers.replaceOrAdd(name: "Content-Length", value: "\(body.utf8.count)")
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: body))), promise: nil)
            channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        case .neverAnswer:
            break
        case .headThenStall(let status):
            var head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status))
            head.headers.add(name: "Content-Length", value: "64")
            channel.writeAndFlush(HTTPServerResponsePart.head(head), promise: nil)
        case .closeConnection:
            channel.close(promise: nil)
        case .after(let gate, let reply):
            gate.whenOpen {
                channel.eventLoop.execute { perform(reply, on: channel) }
            }
        }
    }
}

/// Runs `body` with a fresh loopback server on its own one-thread event loop
/// group, then closes the server and shuts the group down (which closes any
/// connection still open, hung requests included), whether `body` threw or not.
func withLoopbackServer<Result>(
    replying script: @escaping @Sendable (RecordedRequest) -> ScriptedReply,
    _ body: (LoopbackFlagServer) async throws -> Result
) async throws -> Result {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let server: LoopbackFlagServer
    do {
        server = try await LoopbackFlagServer.start(on: group, replying: script)
    } catch {
        try await group.shutdownGracefully()
        throw error
    }
    let result: Swift.Result<Result, any Error>
    do {
        result = .success(try await body(server))
    } catch {
        result = .failure(error)
    }
    // Shut the group down even when closing the server fails.
    var closeError: (any Error)?
    do { try await server.close() } catch { closeError = error }
    try await group.shutdownGracefully()
    if let closeError { throw closeError }
    return try result.get()
}
