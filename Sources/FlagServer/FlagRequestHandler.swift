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

/// Serves one connection of the ``FlagHTTPServer``: decodes nothing itself
/// (NIO's HTTP/1.1 codec does), routes each request, asks the model, and acts
/// on its decision on the connection's event loop.
///
/// Why one request at a time: NIO's `HTTPServerPipelineHandler` sits in front
/// and holds back a pipelined request until the answer to the previous one is
/// complete, so a hang or a latency on one request delays the ones behind it on
/// that connection, exactly as a real HTTP/1.1 server does, and this handler
/// needs no queue. Latencies are event-loop timers (`scheduleTask`): the loop
/// is never blocked.
///
/// Why `finish` before the final write: writing the response's end lets the
/// pipeline handler deliver the next request re-entrantly, so the current
/// request's state is cleared first.
final class FlagRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let model: FlagServerModel
    private let clock: any FlagClock
    private let admin: FlagServerAdmin

    private var head: HTTPRequestHead?
    private var route = FlagRequestRouting.Route.unknown
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    /// The flag request being answered (a latency, a hang, a slow body), finished in the model when the exchange ends.
    private var pending: FlagServerDecision?
    private var keepAlive = true
    private var scheduled: Scheduled<Void>?

    init(model: FlagServerModel, clock: any FlagClock, admin: FlagServerAdmin) {
        self.model = model
        self.clock = clock
        self.admin = admin
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            route = FlagRequestRouting.route(head.uri)
            body.removeAll(keepingCapacity: true)
            bodyTooLarge = false
        case .body(let buffer):
            // Only the admin surface reads bodies (PUT /_flagstorm/faults).
            guard route == .admin, !bodyTooLarge else { return }
            if body.count + buffer.readableBytes > FlagServerAdmin.maximumBodyBytes {
                bodyTooLarge = true
            } else {
                body.append(contentsOf: buffer.readableBytesView)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            keepAlive = head.isKeepAlive
            switch route {
            case .flag: answerFlag(head, context: context)
            case .admin: answerAdmin(head, context: context)
            case .unknown: answerUnknown(head, context: context)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The client gave up (a hang) or the connection broke mid-answer: the exchange is over.
        scheduled?.cancel()
        scheduled = nil
        if let pending {
            self.pending = nil
            model.finish(pending)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: - Flag endpoint

    private func answerFlag(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let host = head.headers.first(name: "host").map(FlagRequestRouting.hostName(fromHeader:)) ?? ""
        let decision = model.handle(normalizedHost: host, at: clock.now())
        pending = decision
        if decision.action == .hang { return }
        if decision.latency > .zero {
            let loop = context.eventLoop.assumeIsolated()
            scheduled = loop.scheduleTask(in: .nanoseconds(decision.latency.flagNanoseconds)) {
                self.scheduled = nil
                self.act(on: decision, context: context)
            }
        } else {
            act(on: decision, context: context)
        }
    }

    private func act(on decision: FlagServerDecision, context: ChannelHandlerContext) {
        switch decision.action {
        case .respond(let response):
            writeHead(response, context: context, flush: false)
            writeBodyAndEnd(response.body, context: context)
        case .slowBody(let response, let duration):
            writeHead(response, context: context, flush: true)
            let loop = context.eventLoop.assumeIsolated()
            scheduled = loop.scheduleTask(in: .nanoseconds(duration.flagNanoseconds)) {
                self.scheduled = nil
                self.writeBodyAndEnd(response.body, context: context)
            }
        case .reset:
            reset(context: context)
        case .hang:
            break
        }
    }

    private func writeHead(_ response: FlagServerResponse, context: ChannelHandlerContext, flush: Bool) {
        var headers = HTTPHeaders()
        headers.reserveCapacity(response.headers.count + 2)
        for header in response.headers { headers.add(name: header.name, value: header.value) }
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status),
                                    headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if flush { context.flush() }
    }

    /// Writes the body and the end of the current flag answer, finishing it in the model first.
    private func writeBodyAndEnd(_ bytes: [UInt8], context: ChannelHandlerContext) {
        if let pending {
            self.pending = nil
            model.finish(pending)
        }
        if !bytes.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))),
                          promise: nil)
        }
        writeEnd(context: context)
    }

    private func writeEnd(context: ChannelHandlerContext) {
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Closes the connection abruptly: `SO_LINGER` 0 makes the kernel send a RST instead of a FIN.
    private func reset(context: ChannelHandlerContext) {
        if let pending {
            self.pending = nil
            model.finish(pending)
        }
        let channel = context.channel
        if let options = channel as? any SocketOptionProvider {
            options.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
    }

    // MARK: - Admin and unknown paths

    private func answerAdmin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let reply: FlagServerAdmin.Reply
        if bodyTooLarge {
            reply = .error(413, "body larger than \(FlagServerAdmin.maximumBodyBytes) bytes")
        } else {
            reply = admin.reply(method: head.method.rawValue, uri: head.uri, body: body)
        }
        body.removeAll(keepingCapacity: false)
        writeSimple(status: reply.status, contentType: reply.contentType, body: Array(reply.body.utf8),
                    context: context)
    }

    private func answerUnknown(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = FlagRequestRouting.path(of: head.uri)
        let host = head.headers.first(name: "host").map(FlagRequestRouting.hostName(fromHeader:)) ?? ""
        model.recordUnroutable(path: path, host: host, at: clock.now())
        let message = "{\"error\":\"no such path: \(FlagServerResponse.escapeJSON(path))\"}"
        writeSimple(status: 404, contentType: "application/json", body: Array(message.utf8), context: context)
    }

    private func writeSimple(status: Int, contentType: String, body: [UInt8], context: ChannelHandlerContext) {
        let response = FlagServerResponse(status: status,
                                          headers: [FlagServerHeader(name: "Content-Type", value: contentType)],
                                          body: body, content: .error)
        writeHead(response, context: context, flush: false)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))),
                          promise: nil)
        }
        writeEnd(context: context)
    }
}
