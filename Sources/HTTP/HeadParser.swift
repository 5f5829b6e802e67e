/// Parses a complete request head (request line, header fields, blank line) and decides body framing.
enum HeadParser {
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
    }

    struct Head {
        var request: Request
        var framing: Framing
        var expectsContinue: Bool
    }

    static func parse(_ head: UnsafeBufferPointer<UInt8>, limits: ParserLimits) throws(HTTPError) -> Head {
        var lines = Lines(head)
        guard let requestLine = lines.next() else { throw bad("Empty request line.") }
        var request = try parseRequestLine(requestLine)
        var headers = HTTPHeaders()
        while let line = lines.next(), !line.isEmpty {
            guard headers.count < limits.maxHeaderCount else {
                throw HTTPError(status: 431, message: "More than \(limits.maxHeaderCount) header fields.")
            }
            let (name, value) = try parseField(line)
            headers.add(name, value)
        }
        request.headers = headers
        let framing = try framing(of: request, limits: limits)
        let expectsContinue = try expectation(of: request) && framing != .none && framing != .length(0)
        return Head(request: request, framing: framing, expectsContinue: expectsContinue)
    }

    // MARK: Request line

    private static func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPError) -> Request {
        let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw bad("Malformed request line; expected 'METHOD /path HTTP/1.1'.")
        }
        guard parts[0].allSatisfy(isTokenByte) else { throw bad("Malformed method.") }
        let version = try parseVersion(parts[2])
        var request = Request(method: knownMethod(parts[0]) ?? String(decoding: parts[0], as: UTF8.self), version: version)
        try parseTarget(parts[1], into: &request)
        return request
    }

    private static func knownMethod(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        for method in ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"] where bytes.elementsEqual(method.utf8) {
            return method
        }
        return nil
    }

    private static func parseVersion(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) throws(HTTPError) -> String {
        if bytes.elementsEqual("HTTP/1.1".utf8) { return "HTTP/1.1" }
        if bytes.elementsEqual("HTTP/1.0".utf8) { return "HTTP/1.0" }
        let b = Array(bytes)
        let isDigit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        if b.count == 8 && b[0..<5].elementsEqual("HTTP/".utf8) && isDigit(b[5]) && b[6] == UInt8(ascii: ".") && isDigit(b[7]) {
            throw HTTPError(status: 505, message: "Only HTTP/1.0 and HTTP/1.1 are supported.")
        }
        throw bad("Malformed HTTP version.")
    }

    private static func parseTarget(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, into request: inout Request) throws(HTTPError) {
        guard bytes.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { throw bad("Malformed request target.") }
        var target = bytes[...]
        if target.first != UInt8(ascii: "/") {
            if target.elementsEqual("*".utf8) {
                request.path = "*"
                return
            }
            // absolute-form: scheme "://" authority path
            guard let schemeEnd = firstIndex(of: "://", in: target) else { throw bad("Malformed request target.") }
            let afterAuthority = target[(schemeEnd + 3)...]
            target = afterAuthority.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") })
                .map { afterAuthority[$0...] } ?? afterAuthority[afterAuthority.endIndex...]
        }
        let withoutFragment = target[..<(target.firstIndex(of: UInt8(ascii: "#")) ?? target.endIndex)]
        let questionMark = withoutFragment.firstIndex(of: UInt8(ascii: "?"))
        let rawPath = withoutFragment[..<(questionMark ?? withoutFragment.endIndex)]
        guard let path = PercentDecoding.decodeStrict(rawPath) else {
            throw bad("Malformed percent-encoding in the request path.")
        }
        request.path = path.isEmpty ? "/" : path
        if let questionMark {
            let rawQuery = withoutFragment[(questionMark + 1)...]
            request.query = QueryParameters(query: String(decoding: rawQuery, as: UTF8.self))
        }
    }

    private static func firstIndex(of needle: String, in haystack: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        let pattern = Array(needle.utf8)
        guard haystack.count >= pattern.count else { return nil }
        for start in haystack.startIndex...(haystack.endIndex - pattern.count)
        where haystack[start..<(start + pattern.count)].elementsEqual(pattern) {
            return start
        }
        return nil
    }

    // MARK: Header fields

    private static func parseField(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPError) -> (String, String) {
        if line[0] == UInt8(ascii: " ") || line[0] == UInt8(ascii: "\t") {
            throw bad("Folded header lines are not accepted.")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            throw bad("Malformed header line.")
        }
        let name = line[..<colon]
        guard name.allSatisfy(isTokenByte) else { throw bad("Malformed header name.") }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 32 || first == 9 { value = value.dropFirst() }
        while let last = value.last, last == 32 || last == 9 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 9 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw bad("Header \(String(decoding: name, as: UTF8.self)) contains control characters.")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    // MARK: Framing

    private static func framing(of request: Request, limits: ParserLimits) throws(HTTPError) -> Framing {
        let headers = request.headers
        if request.version == "HTTP/1.1" && headers.values("Host").count != 1 {
            throw bad("HTTP/1.1 requests need exactly one Host header.")
        }
        if headers.contains("Transfer-Encoding") {
            if request.version == "HTTP/1.0" { throw bad("Transfer-Encoding is not allowed in HTTP/1.0 requests.") }
            if headers.contains("Content-Length") { throw bad("Content-Length and Transfer-Encoding must not both be sent.") }
            let codings = headers.tokens("Transfer-Encoding")
            guard codings == ["chunked"] else {
                throw HTTPError(status: 501, message: "Transfer-Encoding '\(codings.joined(separator: ", "))' is not supported; only chunked is.")
            }
            return .chunked
        }
        let lengths = headers.values("Content-Length").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        guard !lengths.isEmpty else { return .none }
        var length: Int?
        for text in lengths {
            let digits = text.trimmingASCIIWhitespace()
            guard !digits.isEmpty, digits.utf8.count <= 18, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  let value = Int(digits), length == nil || length == value else {
                throw bad("Malformed Content-Length.")
            }
            length = value
        }
        let bodyLength = length ?? 0
        if bodyLength > limits.maxBodyBytes {
            throw HTTPError(status: 413, message: "The request body of \(bodyLength) bytes exceeds the limit of \(limits.maxBodyBytes) bytes.")
        }
        return .length(bodyLength)
    }

    private static func expectation(of request: Request) throws(HTTPError) -> Bool {
        let expectations = request.headers.tokens("Expect")
        guard !expectations.isEmpty else { return false }
        guard expectations == ["100-continue"] else {
            throw HTTPError(status: 417, message: "Only 'Expect: 100-continue' is supported.")
        }
        return request.version == "HTTP/1.1"
    }

    // MARK: Helpers

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func bad(_ message: String) -> HTTPError {
        HTTPError(status: 400, message: message)
    }

    /// The lines of a head, without CRLF or LF; a lone CR stays inside a line (and is rejected there).
    struct Lines: IteratorProtocol {
        let bytes: UnsafeBufferPointer<UInt8>
        var index: Int

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            index = 0
        }

        mutating func next() -> UnsafeBufferPointer<UInt8>? {
            guard index < bytes.count else { return nil }
            var end = index
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            let next = end + 1
            if end > index && bytes[end - 1] == 13 { end -= 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[index..<end])
            index = next
            return line
        }
    }
}
