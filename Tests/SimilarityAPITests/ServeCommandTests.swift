import Foundation
import TestSupport
import Testing

/// `similarity serve` as an operator starts it: options and environment, the settings it prints, and
/// a clean stop on SIGTERM.
@Suite struct ServeCommandTests {
    static let binary = TestPaths.packageRoot.appendingPathComponent(".build/release/similarity").path

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary) && ExternalTools.path(of: "curl") != nil,
                   "needs the release binary (swift build -c release) and curl"))
    func optionsWinOverEnvironmentAndTheSettingsArePrinted() throws {
        let folder = try TestPaths.makeTemporaryDirectory("serve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try Self.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.currentDirectoryURL = folder
        process.arguments = ["serve", "--port", String(port), "--default-threshold", "0.9", "--images", "catalog"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "SIMILARITY_HOST": "127.0.0.1", "SIMILARITY_DEFAULT_THRESHOLD": "0.5", "SIMILARITY_PORT": "1",
            "SIMILARITY_MODEL": APIFixture.modelPath, "SIMILARITY_CORS_ORIGINS": "none",
        ]) { $1 }
        let log = folder.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var health = ""
        for _ in 0..<300 where !health.contains("healthy") {
            usleep(20_000)
            health = (try? ExternalTools.run("curl", ["-s", "http://127.0.0.1:\(port)/health"]))?.output ?? ""
        }
        #expect(health.contains("\"status\":\"healthy\""))
        let document = try ExternalTools.run("curl", ["-s", "http://127.0.0.1:\(port)/openapi.json"]).output
        #expect(document.contains("\"default\":0.9"), "the option, not the environment, sets the default threshold")

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let printed = try String(contentsOf: log, encoding: .utf8)
        for line in ["host: 127.0.0.1", "port: \(port)", "images folder: catalog", "default threshold: 0.9",
                     "CORS origins: (disabled)", "model: \(APIFixture.modelPath)"] {
            #expect(printed.contains(line), "missing '\(line)' in:\n\(printed)")
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("catalog").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("__generated__").path))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary), "needs the release binary"))
    func badSettingsStopWithAMessageNamingThem() throws {
        let result = try ExternalTools.run(Self.binary, ["serve", "--default-threshold", "2"],
                                           environment: ["SIMILARITY_MODEL": APIFixture.modelPath])
        #expect(result.status != 0)
        #expect(result.output.contains("--default-threshold"))
        let fromEnvironment = try ExternalTools.run(Self.binary, ["serve"], environment: ["SIMILARITY_PORT": "http"])
        #expect(fromEnvironment.status != 0)
        #expect(fromEnvironment.output.contains("SIMILARITY_PORT"))
    }

    /// A port nothing listens on right now (the kernel picks it).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
