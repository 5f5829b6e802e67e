import Dispatch
import Foundation
import HTTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The server over real loopback sockets, driven byte for byte by a raw client.
@Suite struct ServerTests {
    @Test func keepAliveConnectionServesManyRequests() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        for word in ["one", "two", "three"] {
            try client.send("GET /echo/\(word)?q=%C3%A9+x HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "\(word)|é x")
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(response.header("Server") == "similarity")
            #expect(response.header("Date")?.hasSuffix(" GMT") == true)
            #expect(response.header("Connection") == nil)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let body = randomBytes(5000)
        try client.send(Array("GET /echo/a HTTP/1.1\r\nHost: t\r\n\r\nPOST /size HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n".utf8)
                        + body + Array("GET /echo/c HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        #expect(try client.readResponse().text == "a|")
        #expect(try client.readResponse().text == "5000 \(checksum(body))")
        #expect(try client.readResponse().text == "c|")
    }

    @Test func headSendsLengthButNoBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("HEAD /health HTTP/1.1\r\nHost: t\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try client.readResponse(toHead: true)
        let get = try client.readResponse()
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == String(get.body.count))
        #expect(get.text == #"{"status":"healthy"}"#)
    }

    @Test func http10AndConnectionCloseEndTheConnection() throws {
        let server = try TestServer()
        defer { server.stop() }
        let old = try RawClient(port: server.port)
        try old.send("GET /health HTTP/1.0\r\n\r\n")
        let response = try old.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        #expect(try old.isClosedByServer())

        let keep = try RawClient(port: server.port)
        try keep.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try keep.readResponse().header("Connection") == "keep-alive")
        try keep.send("GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(try keep.readResponse().header("Connection") == "close")
        #expect(try keep.isClosedByServer())
    }

    @Test func chunkedRequestBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("POST /size HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        try client.send("4\r\nWiki\r\n")
        try client.send("5;ext=1\r\npedia\r\n0\r\n\r\n")
        #expect(try client.readResponse().text == "9 \(checksum(Array("Wikipedia".utf8)))")
    }

    @Test func expectContinueIsAnsweredBeforeTheBodyIsSent() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("POST /size HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        #expect(try client.readResponse(skipInterim: false).status == 100)
        try client.send("abc")
        #expect(try client.readResponse().text == "3 \(checksum(Array("abc".utf8)))")
    }

    @Test func corsHeadersAndPreflight() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("GET /health HTTP/1.1\r\nHost: t\r\nOrigin: https://shop.example\r\n\r\n")
        #expect(try client.readResponse().header("Access-Control-Allow-Origin") == "*")
        try client.send("OPTIONS /size HTTP/1.1\r\nHost: t\r\nOrigin: https://shop.example\r\n"
                        + "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n\r\n")
        let preflight = try client.readResponse()
        #expect(preflight.status == 204)
        #expect(preflight.header("Access-Control-Allow-Origin") == "*")
        #expect(preflight.header("Access-Control-Allow-Methods") == "POST, OPTIONS")
        #expect(preflight.header("Access-Control-Allow-Headers") == "content-type")
        try client.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().header("Access-Control-Allow-Origin") == nil)
    }

    @Test func corsWithListedOrigins() throws {
        let server = try TestServer(configure: { $0.corsAllowedOrigins = ["https://good.example"] })
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("GET /health HTTP/1.1\r\nHost: t\r\nOrigin: https://good.example\r\n\r\n")
        let allowed = try client.readResponse()
        #expect(allowed.header("Access-Control-Allow-Origin") == "https://good.example")
        #expect(allowed.header("Vary") == "Origin")
        try client.send("GET /health HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.example\r\n\r\n")
        #expect(try client.readResponse().header("Access-Control-Allow-Origin") == nil)
    }

    @Test func oneAccessLogLinePerRequest() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\nGET /missing HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = try client.readResponse()
        _ = try client.readResponse()
        let lines = server.log.messages.filter { $0.hasPrefix("info") && $0.contains("HTTP/1.1\"") }
        #expect(lines.count == 2)
        #expect(lines.first?.contains("\"GET /health HTTP/1.1\" 200 20 ") == true)
        #expect(lines.last?.contains("\"GET /missing HTTP/1.1\" 404 ") == true)
    }

    @Test func portInUseIsAClearError() throws {
        let first = try TestServer()
        defer { first.stop() }
        let second = HTTPServer(configuration: ServerConfiguration(host: "127.0.0.1", port: first.port),
                                responder: Router(), logger: .init(label: "second"))
        do {
            try second.start()
            Issue.record("second server started on a used port")
            second.shutdown()
        } catch let error as HTTPServerError {
            guard case .addressInUse = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(error.description.contains("\(first.port)"))
        }
    }

    @Test func ipv6AndIPv4OnADualStackSocket() throws {
        let server = try TestServer(configure: { $0.host = "::" })
        defer { server.stop() }
        let v4 = try RawClient(port: server.port, host: "127.0.0.1")
        try v4.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try v4.readResponse().status == 200)
        guard let v6 = try? RawClient(port: server.port, host: "::1") else { return } // no IPv6 loopback here
        try v6.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try v6.readResponse().status == 200)
    }

    @Test func blockedHandlersDoNotStallOtherClients() throws {
        let release = DispatchSemaphore(value: 0)
        let server = try TestServer(configure: { $0.workerCount = 1 }, routes: { router in
            router.add("GET", "/slow") { _ in
                release.wait()
                return .text("slow done")
            }
        })
        defer { server.stop() }
        let slow = try RawClient(port: server.port)
        try slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        // The only worker is busy, yet the I/O thread still accepts, parses and rejects.
        let other = try RawClient(port: server.port)
        try other.send("GARBAGE\r\n\r\n")
        #expect(try other.readResponse().status == 400)
        let queued = try RawClient(port: server.port)
        try queued.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        release.signal()
        #expect(try slow.readResponse().text == "slow done")
        #expect(try queued.readResponse().status == 200)
    }

    @Test func aSecondWorkerServesWhileOneHandlerBlocks() throws {
        let release = DispatchSemaphore(value: 0)
        let server = try TestServer(configure: { $0.workerCount = 2 }, routes: { router in
            router.add("GET", "/slow") { _ in
                release.wait()
                return .text("slow done")
            }
        })
        defer { server.stop() }
        let slow = try RawClient(port: server.port)
        try slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        let fast = try RawClient(port: server.port)
        for _ in 0..<20 {
            try fast.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try fast.readResponse().status == 200)
        }
        release.signal()
        #expect(try slow.readResponse().text == "slow done")
    }

    @Test func gracefulShutdownFinishesInFlightRequests() throws {
        let release = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        let server = try TestServer(configure: { $0.shutdownGrace = .seconds(10) }, routes: { router in
            router.add("GET", "/slow") { _ in
                entered.signal()
                release.wait()
                return .text("finished")
            }
        })
        let idle = try RawClient(port: server.port)
        try idle.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = try idle.readResponse()
        let busy = try RawClient(port: server.port)
        try busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        entered.wait()
        let done = DispatchSemaphore(value: 0)
        let port = server.port
        Thread.detachNewThread {
            server.server.shutdown()
            done.signal()
        }
        #expect(try idle.isClosedByServer())                  // idle keep-alive connections close at once
        #expect(throws: RawClientError.self) { try RawClient(port: port) }  // no new connections
        release.signal()
        let response = try busy.readResponse()
        #expect(response.text == "finished")
        #expect(response.header("Connection") == "close")
        done.wait()
    }

    @Test func twoHundredConcurrentKeepAliveClients() throws {
        let server = try TestServer()
        defer { server.stop() }
        let clients = try (0..<200).map { _ in try RawClient(port: server.port) }
        for round in 0..<3 {
            for (index, client) in clients.enumerated() {
                try client.send("GET /echo/c\(index)?q=r\(round) HTTP/1.1\r\nHost: t\r\n\r\n")
            }
            for (index, client) in clients.enumerated() {
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == "c\(index)|r\(round)")
            }
        }
    }
}
