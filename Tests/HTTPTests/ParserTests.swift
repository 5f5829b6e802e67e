import HTTP
import Testing

/// The parser is fed each message whole, split in two at every byte position, and one byte at a time;
/// every way of feeding must give the same events (or the same error).
@Suite struct ParserTests {
    // MARK: Helpers

    /// A comparable description of the events produced by feeding `chunks` in turn.
    static func events(_ chunks: [ArraySlice<UInt8>], limits: ParserLimits) throws(HTTPError) -> [String] {
        var parser = RequestParser(limits: limits)
        var seen: [String] = []
        for chunk in chunks {
            parser.append(contentsOf: chunk)
            while let event = try parser.next() {
                switch event {
                case .continueExpected:
                    seen.append("100-continue")
                case .request(let r):
                    let query = r.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
                    let headers = r.headers.map { "\($0.name): \($0.value)" }.joined(separator: "|")
                    seen.append("\(r.method) \(r.path) ?\(query) \(r.version) [\(headers)] body=\(String(decoding: r.body, as: UTF8.self))")
                }
            }
        }
        return seen
    }

    /// Every way of splitting `text`; returns the events, after checking that all splits agree.
    static func parse(_ text: String, limits: ParserLimits = .init()) throws -> [String] {
        let bytes = Array(text.utf8)
        let whole = try events([bytes[...]], limits: limits)
        for cut in 0...bytes.count {
            let split = try events([bytes[..<cut], bytes[cut...]], limits: limits)
            #expect(split == whole, "split at \(cut)")
        }
        let single = try events(bytes.indices.map { bytes[$0...$0] }, limits: limits)
        #expect(single == whole, "byte by byte")
        return whole
    }

    /// The error every way of splitting `text` ends in (nil if one of them does not fail).
    static func failure(_ text: String, limits: ParserLimits = .init()) -> HTTPError? {
        let bytes = Array(text.utf8)
        var splits: [[ArraySlice<UInt8>]] = (0...bytes.count).map { [bytes[..<$0], bytes[$0...]] }
        splits.append(bytes.indices.map { bytes[$0...$0] })
        var errors: [HTTPError] = []
        for chunks in splits {
            do {
                _ = try events(chunks, limits: limits)
                Issue.record("no error when split as \(chunks.map(\.count))")
                return nil
            } catch {
                errors.append(error)
            }
        }
        #expect(Set(errors.map(\.status)).count == 1, "statuses differ across splits: \(Set(errors.map(\.status)))")
        return errors.first
    }

    // MARK: Accepted requests

    @Test func simpleGet() throws {
        let events = try Self.parse("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(events == ["GET /health ? HTTP/1.1 [Host: x] body="])
    }

    @Test func queryIsPercentDecodedWithRepeatedKeys() throws {
        let events = try Self.parse("GET /api/v1/find%20similar?top_k=5&tag=a+b&tag=%C3%A9&empty=&flag HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(events == ["GET /api/v1/find similar ?top_k=5&tag=a b&tag=é&empty=&flag= HTTP/1.1 [Host: x] body="])
    }

    @Test func headersKeepOrderRepeatsAndTrimSpaces() throws {
        var parser = RequestParser()
        parser.append(contentsOf: "GET / HTTP/1.1\r\nHost: x\r\nX-Tag:  one \r\nx-tag:two\r\nACCEPT:\t*/*\r\n\r\n".utf8)
        guard case .request(let request)? = try parser.next() else {
            Issue.record("no request")
            return
        }
        #expect(request.headers.values("X-TAG") == ["one", "two"])
        #expect(request.headers["accept"] == "*/*")
        #expect(request.headers.map(\.name) == ["Host", "X-Tag", "x-tag", "ACCEPT"])
    }

    @Test func contentLengthBody() throws {
        let events = try Self.parse("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(events == ["POST /p ? HTTP/1.1 [Host: x|Content-Length: 11] body=hello world"])
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let text = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\nB\r\n, chunked!!\r\n0\r\nX-Trailer: t\r\n\r\n"
        let events = try Self.parse(text)
        #expect(events == ["POST /c ? HTTP/1.1 [Host: x|Transfer-Encoding: chunked] body=hello, chunked!!"])
    }

    @Test func pipelinedRequestsComeOutInOrder() throws {
        let text = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n"
            + "GET /4 HTTP/1.0\r\n\r\n"
        let events = try Self.parse(text)
        #expect(events.map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == ["GET /1", "POST /2", "POST /3", "GET /4"])
        #expect(events[1].hasSuffix("body=abc"))
        #expect(events[2].hasSuffix("body=z"))
    }

    @Test func expectContinueIsReportedBeforeTheBody() throws {
        let text = "POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
        let headOnly = try Self.parse(text)
        #expect(headOnly == ["100-continue"])
        // With the body already sent along, the request still completes.
        let withBody = try Self.events([Array((text + "data").utf8)[...]], limits: .init())
        #expect(withBody.last?.hasSuffix("body=data") == true)
    }

    @Test func leadingEmptyLinesAndBareLineFeedsAreTolerated() throws {
        let events = try Self.parse("\r\n\nGET /lf HTTP/1.1\nHost: x\n\n")
        #expect(events == ["GET /lf ? HTTP/1.1 [Host: x] body="])
    }

    @Test func absoluteFormTargetUsesItsPath() throws {
        let events = try Self.parse("GET http://example.com:8000/a/b?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(events == ["GET /a/b ?x=1 HTTP/1.1 [Host: example.com] body="])
    }

    @Test func keepAliveFollowsVersionAndConnectionHeader() throws {
        func request(_ text: String) throws -> Request? {
            var parser = RequestParser()
            parser.append(contentsOf: text.utf8)
            if case .request(let r)? = try parser.next() { return r }
            return nil
        }
        #expect(try request("GET / HTTP/1.1\r\nHost: x\r\n\r\n")?.keepAlive == true)
        #expect(try request("GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n")?.keepAlive == false)
        #expect(try request("GET / HTTP/1.0\r\n\r\n")?.keepAlive == false)
        #expect(try request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")?.keepAlive == true)
    }

    @Test func progressTracksTheCurrentRequest() throws {
        var parser = RequestParser()
        #expect(parser.progress == .idle)
        parser.append(contentsOf: "POST / HTTP/1.1\r\nHost: x\r\n".utf8)
        _ = try parser.next()
        #expect(parser.progress == .head)
        parser.append(contentsOf: "Content-Length: 2\r\n\r\na".utf8)
        _ = try parser.next()
        #expect(parser.progress == .body)
        parser.append(contentsOf: "b".utf8)
        _ = try parser.next()
        #expect(parser.progress == .idle)
    }

    // MARK: Rejected requests

    @Test(arguments: [
        ("GET /\r\nHost: x\r\n\r\n", 400),                                   // no version
        ("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),                         // double space
        ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),                          // bad method token
        ("GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400),                          // bad version
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),                          // unsupported version
        ("GET nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 400),                    // bad target
        ("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),                       // bad escape in path
        ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),                         // space before colon
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),            // obsolete folding
        ("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{1}b\r\n\r\n", 400),            // control character
        ("GET / HTTP/1.1\r\n\r\n", 400),                                     // missing Host
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),               // repeated Host
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 1\r\n\r\n", 417),
    ])
    func malformedRequestsAreRejected(text: String, status: Int) {
        #expect(Self.failure(text)?.status == status)
    }

    @Test func oversizedContentLengthIsRejectedFromTheHeadAlone() {
        let limits = ParserLimits(maxBodyBytes: 1000)
        let error = Self.failure("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", limits: limits)
        #expect(error?.status == 413)
        #expect(error?.message.contains("1001") == true)
    }

    @Test func oversizedChunkedBodyIsRejected() {
        let limits = ParserLimits(maxBodyBytes: 8)
        let text = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n5\r\n"
        #expect(Self.failure(text, limits: limits)?.status == 413)
    }

    @Test func oversizedHeadIsRejected() {
        let limits = ParserLimits(maxHeaderBytes: 64)
        let long = "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + String(repeating: "a", count: 80)
        #expect(Self.failure(long, limits: limits)?.status == 431)
        #expect(Self.failure(long + "\r\n\r\n", limits: limits)?.status == 431)
    }

    @Test func tooManyHeaderFieldsAreRejected() {
        let limits = ParserLimits(maxHeaderCount: 3)
        let text = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        #expect(Self.failure(text, limits: limits)?.status == 431)
    }

    @Test func mutatedRequestsNeverCrashAndSplitsAgree() {
        let seeds = [
            "POST /a?b=c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
            "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;e\r\nabc\r\n0\r\nT: 1\r\n\r\n",
            "GET /%41 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.1\r\nHost: y\r\n\r\n",
        ].map { Array($0.utf8) }
        let alphabet = Array("\r\n :;%0aAzZ9-/?\t\u{0}\u{7f}\u{ff}".utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let limits = ParserLimits(maxHeaderBytes: 200, maxHeaderCount: 8, maxBodyBytes: 64)
        for _ in 0..<3000 {
            var bytes = seeds[next(seeds.count)]
            for _ in 0..<(1 + next(4)) {
                let position = next(bytes.count)
                switch next(3) {
                case 0: bytes[position] = alphabet[next(alphabet.count)]
                case 1: bytes.insert(alphabet[next(alphabet.count)], at: position)
                default: bytes.remove(at: position)
                }
            }
            let cut = next(bytes.count + 1)
            let whole = Result { () throws(HTTPError) in try Self.events([bytes[...]], limits: limits) }
            let split = Result { () throws(HTTPError) in try Self.events([bytes[..<cut], bytes[cut...]], limits: limits) }
            switch (whole, split) {
            case let (.success(a), .success(b)): #expect(a == b)
            case let (.failure(a), .failure(b)): #expect(a.status == b.status)
            default: Issue.record("whole and split disagree for \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
        }
    }

    @Test func parserStaysFailedAfterAnError() {
        var parser = RequestParser()
        parser.append(contentsOf: "BAD\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        #expect(throws: HTTPError.self) { try parser.next() }
        #expect(throws: HTTPError.self) { try parser.next() }
    }
}
