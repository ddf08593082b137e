import FeatureFlags
import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import FlagServer

/// Collects every byte a connection receives until the server closes it.
private final class CollectUntilClose: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private var received = ByteBuffer()
    private let done: EventLoopPromise<String>

    init(done: EventLoopPromise<String>) { self.done = done }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received.writeBuffer(&buffer)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(String(buffer: received))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }
}

@Suite struct FlagHTTPServerPipeliningTests {
    @Test func pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstIsSlower() async throws {
        let configuration = FlagServerConfiguration(hosts: [
            "slow.example": FlagHostProfile(truth: .constant(true), latency: .fixed(.milliseconds(50))),
            "fast.example": FlagHostProfile(truth: .constant(false)),
        ])
        try await withServer(configuration) { harness async throws in
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let promise = group.next().makePromise(of: String.self)
            let channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(CollectUntilClose(done: promise))
                    }
                }
                .connect(host: "127.0.0.1", port: harness.server.port)
                .get()
            let path = "/api/2.0/connector-service/feature-flags/GOLANG/1"
            // Both requests in one write; the second asks the server to close afterwards.
            let requests = "GET \(path) HTTP/1.1\r\nHost: slow.example\r\n\r\n"
                + "GET \(path) HTTP/1.1\r\nHost: fast.example\r\nConnection: close\r\n\r\n"
            try await channel.writeAndFlush(ByteBuffer(string: requests))
            let text = try await promise.futureResult.get()
            try await group.shutdownGracefully()

            let slowBody = flagBody(true)
            let fastBody = flagBody(false)
            let slowAt = try #require(text.range(of: slowBody)?.lowerBound)
            let fastAt = try #require(text.range(of: fastBody)?.lowerBound)
            #expect(slowAt < fastAt, "answers out of order")
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
            #expect(harness.model.journal().map(\.host) == ["slow.example", "fast.example"])
            #expect(harness.model.statistics().inFlight == 0)
        }
    }
}
