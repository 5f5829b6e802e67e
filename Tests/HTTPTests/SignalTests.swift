import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `runUntilSignalled` end to end, in the `similarity bench http` process (signals would hit the test
/// runner itself if sent in-process).
@Suite struct SignalTests {
    static let binary = TestPaths.packageRoot.appendingPathComponent(".build/release/similarity")

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary.path), "build the similarity product first"),
          arguments: [SIGTERM, SIGINT])
    func signalShutsDownGracefullyWithExitZero(signal: Int32) throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["bench", "http", "--port", "0"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // First line: "Serving http://127.0.0.1:PORT/health ..."
        var firstLine = Data()
        while !firstLine.contains(10) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            firstLine.append(chunk)
        }
        let text = String(decoding: firstLine, as: UTF8.self)
        let port = try #require(text.split(separator: ":").dropFirst(2).first.flatMap { Int($0.prefix { $0.isNumber }) }, "\(text)")

        let client = try RawClient(port: port)
        try client.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)

        kill(process.processIdentifier, signal)
        // A watchdog, so that a server that ignores the signal fails the test instead of hanging it.
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + 30) { if process.isRunning { kill(pid, SIGKILL) } }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("Server stopped"))
        #expect(try client.isClosedByServer())
    }
}
