import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP/1.1 server on 127.0.0.1 (an ephemeral port), for the provider clients to talk
/// to. It records every request as received, so tests assert the exact method, path, headers
/// and body, and answers through a handler (the providers' contracts in `FakeProviders`).
final class TestHTTPServer: @unchecked Sendable {
    struct Request: Sendable, CustomStringConvertible {
        var method: String
        /// Path and query, as sent.
        var target: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        var path: String { String(target.prefix { $0 != "?" }) }
        var query: [String: String] {
            guard let start = target.firstIndex(of: "?") else { return [:] }
            var result: [String: String] = [:]
            for pair in target[target.index(after: start)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                result[parts[0]] = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
            }
            return result
        }
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        var bodyText: String { String(decoding: body, as: UTF8.self) }
        var json: Any? { body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(body)) }
        var description: String { "\(method) \(target)" }
    }

    struct Response: Sendable {
        var status: Int
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []
        /// Seconds to wait before answering (a provider slower than the client's timeout).
        var delay: Double = 0

        static func json(_ status: Int, _ object: Any, headers: [(name: String, value: String)] = []) -> Response {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(data))
        }

        static func text(_ status: Int, _ text: String, contentType: String = "text/plain", headers: [(name: String, value: String)] = []) -> Response {
            Response(status: status, headers: [("Content-Type", contentType)] + headers, body: Array(text.utf8))
        }
    }

    typealias Handler = @Sendable (Request) -> Response

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: (any Channel)?
    private let lock = NSLock()
    private var recorded: [Request] = []
    let handler: Handler
    private(set) var port = 0

    init(handler: @escaping Handler) throws {
        self.handler = handler
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(server: self))
                }
            }
        let channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    deinit { shutdown() }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request so far, in the order they arrived.
    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    fileprivate func record(_ request: Request) {
        lock.lock()
        recorded.append(request)
        lock.unlock()
    }

    func shutdown() {
        lock.lock()
        let open = channel
        channel = nil
        lock.unlock()
        guard let open else { return }
        try? open.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Collects one request's head and body, records it, and writes the handler's answer.
private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: TestHTTPServer
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(server: TestHTTPServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            self.head = nil
            let request = TestHTTPServer.Request(method: head.method.rawValue, target: head.uri,
                                                 headers: head.headers.map { (name: $0.name, value: $0.value) }, body: body)
            server.record(request)
            let response = server.handler(request)
            let keepAlive = head.isKeepAlive
            if response.delay > 0 {
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(response.delay * 1000))) {
                    self.write(response, keepAlive: keepAlive, context: context)
                }
            } else {
                write(response, keepAlive: keepAlive, context: context)
            }
        }
    }

    private func write(_ response: TestHTTPServer.Response, keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
