import Foundation
import HTTP
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A server on an ephemeral loopback port with 2 s timeouts (tests of a timeout shorten it), for one test.
final class TestServer: Sendable {
    let server: HTTPServer
    let log: LogCapture

    init(configure: (inout ServerConfiguration) -> Void = { _ in }, routes: (inout Router) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, maxConnections: 512,
                                                headerTimeout: .seconds(2), bodyTimeout: .seconds(2),
                                                idleTimeout: .seconds(2), shutdownGrace: .seconds(2), workerCount: 2)
        configure(&configuration)
        var router = Router()
        router.add("GET", "/health") { _ in .json(raw: Array(#"{"status":"healthy"}"#.utf8)) }
        router.add("GET", "/echo/{word}") { request in .text("\(request.pathParameters["word"] ?? "")|\(request.query["q"] ?? "")") }
        router.add("POST", "/size") { request in .text("\(request.body.count) \(checksum(request.body))") }
        routes(&router)
        log = LogCapture()
        var logger = Logger(label: "test-http") { [log] _ in log }
        logger.logLevel = .info
        server = HTTPServer(configuration: configuration, responder: router, logger: logger)
        try server.start()
    }

    var port: Int { server.port }
    var url: String { "http://127.0.0.1:\(port)" }

    /// Shuts the server down (tests call it from `defer`, which also keeps the server alive until then).
    func stop() { server.shutdown(grace: .milliseconds(200)) }
}

/// FNV-1a, to compare bodies without sending them back.
func checksum(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return String(hash, radix: 16)
}

/// Deterministic pseudo-random bytes.
func randomBytes(_ count: Int, seed: UInt64 = 42) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}

/// Collects log messages (a swift-log handler).
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lock = NSLock()  // pthread-based, which ThreadSanitizer understands
    private var lines: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lock.withLock { lines.append("\(event.level) \(event.message)") }
    }

    var messages: [String] { lock.withLock { lines } }
}

/// A parsed HTTP response as a raw client reads it.
struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    var json: [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
    }
}

/// A blocking TCP client over a raw socket, for sending exactly the bytes a test wants.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, host: String = "127.0.0.1", receiveTimeout: Int = 5) throws {
        let isIPv6 = host.contains(":")
        fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawClientError.socket(errno) }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result: Int32
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        // On failure the descriptor is closed by deinit, which runs for a fully initialised object.
        guard result == 0 else { throw RawClientError.connect(errno) }
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw RawClientError.send(errno) }
            sent += n
        }
    }

    /// Reads more bytes; false at end of stream (or on a reset).
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        if n > 0 {
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
        if n == 0 || errno == ECONNRESET { return false }
        throw RawClientError.receive(errno)
    }

    /// Reads one response (Content-Length framed), skipping interim 1xx responses unless asked.
    func readResponse(skipInterim: Bool = true, toHead: Bool = false) throws -> RawResponse {
        while true {
            let response = try readOne(toHead: toHead)
            if skipInterim && (100..<200).contains(response.status) { continue }
            return response
        }
    }

    private func readOne(toHead: Bool) throws -> RawResponse {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            if let index = buffer.firstRange(of: terminator)?.lowerBound { headEnd = index; break }
            guard try fill() else { throw RawClientError.closed }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw RawClientError.malformed(head) }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = RawResponse(status: status, headers: headers, body: [])
        let length = toHead ? 0 : Int(response.header("Content-Length") ?? "0") ?? 0
        while buffer.count < length {
            guard try fill() else { throw RawClientError.closed }
        }
        response.body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return response
    }

    /// True when the server closes the connection (end of stream) before sending anything more.
    func isClosedByServer() throws -> Bool {
        if !buffer.isEmpty { return false }
        return try !fill()
    }
}

enum RawClientError: Error {
    case socket(Int32), connect(Int32), send(Int32), receive(Int32), closed, malformed(String)
}

/// Runs a command-line tool, returning its exit status and standard output.
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

/// The path of an executable on PATH, or nil.
func which(_ name: String) -> String? {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}
