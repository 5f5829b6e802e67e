import Foundation
import HTTP
import Testing

/// Every limit and timeout answers with its status, closes that connection, and the server keeps
/// serving the next client.
@Suite struct LimitTests {
    /// Sends `text` and expects an error response with `status`, the service's JSON shape and a close.
    static func expectRejection(_ server: TestServer, send text: String, status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let client = try RawClient(port: server.port)
        try client.send(text)
        try expectRejection(client, status: status, sourceLocation: sourceLocation)
        try expectStillServing(server)
    }

    static func expectRejection(_ client: RawClient, status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let response = try client.readResponse()
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.header("Connection") == "close", sourceLocation: sourceLocation)
        #expect(response.json?["success"] as? Bool == false, sourceLocation: sourceLocation)
        #expect((response.json?["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(try client.isClosedByServer(), sourceLocation: sourceLocation)
    }

    static func expectStillServing(_ server: TestServer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let next = try RawClient(port: server.port)
        try next.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try next.readResponse().status == 200, sourceLocation: sourceLocation)
    }

    @Test func malformedRequestIs400() throws {
        let server = try TestServer()
        defer { server.stop() }
        try Self.expectRejection(server, send: "GET /\u{7f} HTTP/1.1\r\nHost: t\r\n\r\n", status: 400)
        try Self.expectRejection(server, send: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n", status: 400)
        try Self.expectRejection(server, send: "GET / HTTP/3.0\r\nHost: t\r\n\r\n", status: 505)
        try Self.expectRejection(server, send: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: br\r\n\r\n", status: 501)
    }

    @Test func garbageNeverStopsTheServer() throws {
        let server = try TestServer()
        defer { server.stop() }
        for seed in 0..<40 {
            let client = try RawClient(port: server.port)
            var bytes = randomBytes(50 + Int(seed) * 97, seed: UInt64(seed))
            if seed % 2 == 0 { bytes = Array("POST /size HTTP/1.1\r\nHost: t\r\n".utf8) + bytes }
            try? client.send(bytes + [13, 10, 13, 10])
            if let response = try? client.readResponse() {
                #expect((400..<600).contains(response.status), "seed \(seed): \(response.status)")
            }
        }
        try Self.expectStillServing(server)
    }

    @Test func oversizedHeadersAre431() throws {
        let server = try TestServer(configure: { $0.maxHeaderBytes = 4096 })
        defer { server.stop() }
        let big = "GET / HTTP/1.1\r\nHost: t\r\nCookie: " + String(repeating: "c", count: 5000) + "\r\n\r\n"
        try Self.expectRejection(server, send: big, status: 431)
        // A head that never ends is cut off at the limit too.
        try Self.expectRejection(server, send: "GET /" + String(repeating: "a", count: 6000), status: 431)
    }

    @Test func oversizedBodyIs413WithoutReadingIt() throws {
        let server = try TestServer(configure: { $0.maxBodyBytes = 1_000_000 })
        defer { server.stop() }
        // Only the head is sent: the answer comes from Content-Length alone.
        try Self.expectRejection(server, send: "POST /size HTTP/1.1\r\nHost: t\r\nContent-Length: 1000001\r\n\r\n", status: 413)
        // With Expect, the 413 replaces the 100 Continue.
        try Self.expectRejection(server, send: "POST /size HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n", status: 413)
    }

    @Test func clientThatSendsTheOversizedBodyAnywayStillReadsThe413() throws {
        let server = try TestServer(configure: { $0.maxBodyBytes = 100_000 })
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        // The server answers early and then drains, so the client's send completes and no reset hides the answer.
        try client.send(Array("POST /size HTTP/1.1\r\nHost: t\r\nContent-Length: 300000\r\n\r\n".utf8) + randomBytes(300_000))
        try Self.expectRejection(client, status: 413)
        try Self.expectStillServing(server)
    }

    @Test func oversizedChunkedBodyIs413() throws {
        let server = try TestServer(configure: { $0.maxBodyBytes = 1000 })
        defer { server.stop() }
        let chunk = String(repeating: "z", count: 600)
        try Self.expectRejection(server, send: "POST /size HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 + "258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n", status: 413)
    }

    @Test func slowHeadersAre408() throws {
        let server = try TestServer(configure: { $0.headerTimeout = .milliseconds(300) })
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        // Keeps trickling bytes, as slowloris does; the deadline counts from the first byte.
        try client.send("GET / HTTP/1.1\r\n")
        for index in 0..<3 {
            usleep(100_000)
            try? client.send("X-\(index): y\r\n")
        }
        try Self.expectRejection(client, status: 408)
        try Self.expectStillServing(server)
    }

    @Test func stalledBodyIs408() throws {
        let server = try TestServer(configure: { $0.bodyTimeout = .milliseconds(300) })
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("POST /size HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        try Self.expectRejection(client, status: 408)
        try Self.expectStillServing(server)
    }

    @Test func idleKeepAliveConnectionsAreClosed() throws {
        let server = try TestServer(configure: {
            $0.idleTimeout = .milliseconds(300)
            $0.headerTimeout = .milliseconds(300)
        })
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(try client.isClosedByServer())
        // A connection that never sends anything is closed after the header timeout.
        let silent = try RawClient(port: server.port)
        #expect(try silent.isClosedByServer())
        try Self.expectStillServing(server)
    }

    @Test func connectionsOverTheCapAre503() throws {
        let server = try TestServer(configure: { $0.maxConnections = 3 })
        defer { server.stop() }
        var open = try (0..<3).map { _ in try RawClient(port: server.port) }
        for client in open {
            try client.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        do {
            let refused = try RawClient(port: server.port)
            try refused.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            try Self.expectRejection(refused, status: 503)
        } // closing it ends the server's lingering close, which counts as an open connection until then
        // Once a client leaves, a new one is served (the server notices the close asynchronously).
        open.removeFirst()
        var served = false
        for _ in 0..<50 where !served {
            let next = try RawClient(port: server.port)
            try next.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            served = try next.readResponse().status == 200
            if !served { usleep(20_000) }
        }
        #expect(served)
        #expect(open.count == 2)
    }
}
