#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import FeatureFlags
import NIOCore
import NIOHTTP1
import NIOPosix

/// The fake flag server's HTTP/1.1 front end: SwiftNIO on loopback, answering
/// from a ``FlagServerModel`` routed by the `Host` header.
///
/// ```swift
/// let model = FlagServerModel(configuration: configuration, start: clock.now())
/// let server = try await FlagHTTPServer.start(model: model, clock: clock)
/// // point HTTPFlagFetcherConfiguration.baseURLOverride at server.baseURL
/// try await server.shutdown()
/// ```
///
/// Why `Host` routing: the core's HTTP fetcher sends every request to one base
/// URL with the real host name in `Host`, so one server answers for thousands of
/// hosts without DNS. The port in `Host`, if any, is ignored.
///
/// Routes:
/// - `GET /api/2.0/connector-service/feature-flags/{driver}/{version}`: the
///   model's decision, carried out on the event loop (latency as a timer, then
///   the answer, a hang until the client closes, a reset with `SO_LINGER` 0, or
///   the head at once and the body after the slow-body delay). Keep-alive and
///   pipelining as HTTP/1.1 says (NIO's `HTTPServerPipelineHandler`).
/// - `/_flagstorm/…`: the admin surface (stats, journal, fault plan; see the README).
/// - anything else: 404, journalled with ``FlagServerModel/recordUnroutable(path:host:at:)``.
///
/// Arrival instants come from the injected clock (the model's `start` must be
/// on the same clock); the waits themselves are real event-loop timers.
public final class FlagHTTPServer: Sendable {
    /// The model answering the flag requests.
    public let model: FlagServerModel
    /// The address the server is bound to (its port is the real one when asked for port 0).
    public let localAddress: SocketAddress
    /// The bound port.
    public let port: Int
    /// The bound host, as given to ``start(model:clock:host:port:eventLoopGroup:)``.
    public let host: String

    private let serverChannel: any Channel
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let connections: Locked<Connections>

    private struct Connections {
        var open: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    private init(model: FlagServerModel, localAddress: SocketAddress, port: Int, host: String,
                 serverChannel: any Channel, group: any EventLoopGroup, ownsGroup: Bool,
                 connections: Locked<Connections>) {
        self.model = model
        self.localAddress = localAddress
        self.port = port
        self.host = host
        self.serverChannel = serverChannel
        self.group = group
        self.ownsGroup = ownsGroup
        self.connections = connections
    }

    /// `http://HOST:PORT`, for `HTTPFlagFetcherConfiguration.baseURLOverride` and other clients.
    public var baseURL: String { "http://\(host):\(port)" }

    /// Binds a server for `model` and returns once it is listening (readiness is this call returning).
    ///
    /// - Parameters:
    ///   - model: answers the flag requests; its `start` must be an instant of `clock`.
    ///   - clock: measures each request's arrival (the core's coarse monotonic clock by default).
    ///   - host: the address to bind (loopback by default).
    ///   - port: the port to bind; 0 lets the kernel choose (read ``port`` afterwards).
    ///   - eventLoopGroup: the group to serve on; `nil` creates one thread per core,
    ///     owned by the server and stopped by ``shutdown()``.
    /// - Throws: ``FlagHTTPServerError/portInUse(host:port:)`` when the port is taken,
    ///   ``FlagHTTPServerError/bindFailed(host:port:reason:)`` for other bind failures.
    public static func start(model: FlagServerModel, clock: any FlagClock = CoarseMonotonicClock(),
                             host: String = "127.0.0.1", port: Int = 0,
                             eventLoopGroup: (any EventLoopGroup)? = nil) async throws -> FlagHTTPServer {
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let ownsGroup = eventLoopGroup == nil
        let admin = FlagServerAdmin(model: model)
        let connections = Locked(Connections())
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    let accepted = connections.withLock { connections -> Bool in
                        guard !connections.shuttingDown else { return false }
                        connections.open[ObjectIdentifier(channel)] = channel
                        return true
                    }
                    guard accepted else { return channel.close() }
                    channel.closeFuture.whenComplete { _ in
                        connections.withLock { _ = $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withPipeliningAssistance: true, withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(
                            FlagRequestHandler(model: model, clock: clock, admin: admin))
                    }
                }
                .bind(host: host, port: port)
                .get()
        } catch {
            if ownsGroup { try? await group.shutdownGracefully() }
            if let error = error as? IOError, error.errnoCode == EADDRINUSE {
                throw FlagHTTPServerError.portInUse(host: host, port: port)
            }
            throw FlagHTTPServerError.bindFailed(host: host, port: port, reason: "\(error)")
        }
        guard let address = channel.localAddress, let boundPort = address.port else {
            try? await channel.close()
            if ownsGroup { try? await group.shutdownGracefully() }
            throw FlagHTTPServerError.bindFailed(host: host, port: port, reason: "no local address after bind")
        }
        return FlagHTTPServer(model: model, localAddress: address, port: boundPort, host: host,
                              serverChannel: channel, group: group, ownsGroup: ownsGroup,
                              connections: connections)
    }

    /// Stops the server: no new connections, open ones closed (their unfinished
    /// requests, hangs included, are finished in the model), and the event loop
    /// group stopped if the server created it. A second call does nothing.
    public func shutdown() async throws {
        // Decide under the lock, act outside it.
        let open: [any Channel]? = connections.withLock { connections in
            guard !connections.shuttingDown else { return nil }
            connections.shuttingDown = true
            return Array(connections.open.values)
        }
        guard let open else { return }
        try? await serverChannel.close()
        for channel in open {
            channel.close(promise: nil)
            // The close future completes after the handlers saw the channel go
            // inactive, so every unfinished request is finished in the model by now.
            try? await channel.closeFuture.get()
        }
        if ownsGroup {
            try await group.shutdownGracefully()
        }
    }
}
