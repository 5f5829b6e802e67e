import Foundation

/// Runs the programs the end-to-end tests drive the service with (curl, python3, node), and tells
/// whether they are installed so tests that need them can be skipped cleanly.
enum ExternalTools {
    struct Result {
        let status: Int32
        let output: String
    }

    /// The full path of `program` on PATH, or nil.
    static func path(of program: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return folders.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether `python3` can import `module`.
    static func pythonHas(_ module: String) -> Bool {
        guard path(of: "python3") != nil else { return false }
        return (try? run("python3", ["-c", "import \(module)"]))?.status == 0
    }

    /// Whether `python3` can import `module`, installing `package` with pip first when it cannot
    /// (quietly; false when pip or the network is unavailable).
    static func pythonHas(_ module: String, installing package: String) -> Bool {
        if pythonHas(module) { return true }
        guard path(of: "python3") != nil else { return false }
        _ = try? run("python3", ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--timeout", "10", "--retries", "1", package])
        return pythonHas(module)
    }

    /// Runs `program` with `arguments`; stdout and stderr together in `output`.
    static func run(_ program: String, _ arguments: [String], environment: [String: String]? = nil,
                    currentDirectory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(of: program) ?? program)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
