/// The limits the request parser enforces while bytes arrive.
public struct ParserLimits: Sendable {
    /// Request line plus header fields, in bytes (431 beyond).
    public var maxHeaderBytes: Int
    /// Number of header fields (431 beyond).
    public var maxHeaderCount: Int
    /// Decoded body size (413 beyond, decided from `Content-Length` before any body byte is read).
    public var maxBodyBytes: Int

    public init(maxHeaderBytes: Int = 16 * 1024, maxHeaderCount: Int = 100, maxBodyBytes: Int = 25 * 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}

/// An incremental HTTP/1.x request parser: append bytes as they arrive, in any split, and pull events.
///
/// Handles request line and headers (bare LF tolerated), `Content-Length` and chunked bodies, and
/// pipelined requests (each `next()` returns the next one). Errors are `HTTPError`s with the status the
/// server should answer (400, 413, 417, 431, 501, 505); after an error the parser stays failed.
public struct RequestParser: Sendable {
    public enum Event: Sendable {
        /// The head asked for `Expect: 100-continue` and its body has not started: answer `100 Continue`.
        case continueExpected
        /// A complete request.
        case request(Request)
    }

    /// Where the parser stands in the current request (for choosing timeouts).
    public enum Progress: Sendable, Equatable {
        /// Between requests: no byte of the next one buffered.
        case idle
        /// Part of a request line or header block received.
        case head
        /// Head complete, body incomplete.
        case body
    }

    private enum Stage: Sendable {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(bytes: Int)
        case failed(HTTPError)
    }

    public let limits: ParserLimits
    private var buffer: [UInt8] = []
    private var position = 0
    private var scanFrom = 0
    private var stage = Stage.head
    private var pending: Request?
    private var body: [UInt8] = []

    static let maxChunkLineBytes = 4096

    public init(limits: ParserLimits = .init()) {
        self.limits = limits
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Bytes received but not yet consumed by a returned event.
    public var bufferedByteCount: Int { buffer.count - position }

    public var progress: Progress {
        switch stage {
        case .head: position == buffer.count ? .idle : .head
        case .failed: .head
        default: .body
        }
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() throws(HTTPError) -> Event? {
        do {
            let event = try step()
            compact()
            return event
        } catch {
            stage = .failed(error)
            throw error
        }
    }

    private mutating func step() throws(HTTPError) -> Event? {
        while true {
            switch stage {
            case .failed(let error):
                throw error
            case .head:
                skipEmptyLines()
                guard let headEnd = findHeadEnd() else {
                    if buffer.count - position > limits.maxHeaderBytes { throw Self.headersTooLarge(limits) }
                    return nil
                }
                if headEnd - position > limits.maxHeaderBytes { throw Self.headersTooLarge(limits) }
                let head = try buffer.withUnsafeBufferPointer { all throws(HTTPError) in
                    try HeadParser.parse(UnsafeBufferPointer(rebasing: all[position..<headEnd]), limits: limits)
                }
                position = headEnd
                scanFrom = headEnd
                pending = head.request
                body = []
                switch head.framing {
                case .none:
                    return .request(finish())
                case .length(let length):
                    body.reserveCapacity(length)
                    stage = .fixedBody(remaining: length)
                case .chunked:
                    stage = .chunkSize
                }
                if head.expectsContinue && position == buffer.count { return .continueExpected }
            case .fixedBody(let remaining):
                let take = min(remaining, buffer.count - position)
                body.append(contentsOf: buffer[position..<(position + take)])
                position += take
                if remaining == take { return .request(finish()) }
                stage = .fixedBody(remaining: remaining - take)
                return nil
            case .chunkSize:
                guard let line = try nextLine(maxBytes: Self.maxChunkLineBytes, what: "chunk size line") else { return nil }
                let size = try Self.chunkSize(line)
                if size > limits.maxBodyBytes - body.count { throw Self.bodyTooLarge(limits) }
                stage = size == 0 ? .trailers(bytes: 0) : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let take = min(remaining, buffer.count - position)
                body.append(contentsOf: buffer[position..<(position + take)])
                position += take
                if remaining == take {
                    stage = .chunkDataEnd
                } else {
                    stage = .chunkData(remaining: remaining - take)
                    return nil
                }
            case .chunkDataEnd:
                guard let line = try nextLine(maxBytes: 2, what: "chunk terminator") else { return nil }
                guard line.isEmpty else { throw HTTPError(status: 400, message: "Chunk data is longer than its declared size.") }
                stage = .chunkSize
            case .trailers(let bytes):
                let lineStart = position
                guard let line = try nextLine(maxBytes: limits.maxHeaderBytes, what: "trailer section") else {
                    if bytes + buffer.count - position > limits.maxHeaderBytes { throw Self.headersTooLarge(limits) }
                    return nil
                }
                if line.isEmpty { return .request(finish()) }
                let total = bytes + position - lineStart
                if total > limits.maxHeaderBytes { throw Self.headersTooLarge(limits) }
                stage = .trailers(bytes: total)
            }
        }
    }

    private mutating func finish() -> Request {
        var request = pending ?? Request()
        request.body = body
        pending = nil
        body = []
        stage = .head
        scanFrom = position
        return request
    }

    /// Empty lines before a request line are ignored (RFC 9112 §2.2).
    private mutating func skipEmptyLines() {
        while position < buffer.count, buffer[position] == 13 || buffer[position] == 10 {
            position += 1
        }
        scanFrom = max(scanFrom, position)
    }

    /// The index just past the blank line that ends the head, or nil.
    private mutating func findHeadEnd() -> Int? {
        var i = scanFrom
        let end = buffer.count
        while i < end {
            if buffer[i] == 10 {
                if i - 1 >= position && buffer[i - 1] == 10 { return i + 1 }
                if i - 2 >= position && buffer[i - 1] == 13 && buffer[i - 2] == 10 { return i + 1 }
            }
            i += 1
        }
        scanFrom = end
        return nil
    }

    /// The next line without its CRLF (or LF); nil when incomplete. Throws 400 past `maxBytes`.
    private mutating func nextLine(maxBytes: Int, what: String) throws(HTTPError) -> ArraySlice<UInt8>? {
        let searchEnd = min(buffer.count, position + maxBytes + 2)
        guard let newline = buffer[position..<searchEnd].firstIndex(of: 10) else {
            if searchEnd - position > maxBytes + 1 { throw HTTPError(status: 400, message: "The \(what) is too long.") }
            return nil
        }
        var lineEnd = newline
        if lineEnd > position && buffer[lineEnd - 1] == 13 { lineEnd -= 1 }
        let line = buffer[position..<lineEnd]
        position = newline + 1
        return line
    }

    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPError) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            if byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { break }
            guard let value = PercentDecoding.hexValue(byte) else {
                throw HTTPError(status: 400, message: "Malformed chunk size line.")
            }
            digits += 1
            guard digits <= 15 else { throw HTTPError(status: 413, message: "Chunk size is too large.") }
            size = size << 4 | Int(value)
        }
        guard digits > 0 else { throw HTTPError(status: 400, message: "Malformed chunk size line.") }
        return size
    }

    private mutating func compact() {
        if position == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 16 * 1024)
            position = 0
            scanFrom = 0
        } else if position >= 64 * 1024 {
            buffer.removeSubrange(0..<position)
            scanFrom -= position
            position = 0
        }
    }

    static func headersTooLarge(_ limits: ParserLimits) -> HTTPError {
        HTTPError(status: 431, message: "The request line and headers exceed \(limits.maxHeaderBytes) bytes.")
    }

    static func bodyTooLarge(_ limits: ParserLimits) -> HTTPError {
        HTTPError(status: 413, message: "The request body exceeds the limit of \(limits.maxBodyBytes) bytes.")
    }
}
