import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import HTTP
import Logging

/// `similarity bench http`: serves a tiny JSON endpoint until SIGINT, for an external load generator:
/// `wrk -t2 -c64 -d10s http://127.0.0.1:8080/health`.
struct BenchHTTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Serve a tiny JSON endpoint (/health) for wrk until interrupted.")

    @Option(help: "Port to listen on (0: any free port, printed at start).") var port = 8080
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Handler threads (default: the number of cores).") var workers: Int?
    @Option(help: "Socket I/O threads.") var ioThreads = 1
    @Flag(help: "Write the access log (one line per request) to standard error.") var accessLog = false

    func run() throws {
        var logger = Logger(label: "http")
        logger.logLevel = accessLog ? .info : .notice
        var router = Router()
        let body = Array(#"{"status":"healthy","model_loaded":true,"total_products":0}"#.utf8)
        router.add("GET", "/health") { _ in .json(raw: body) }
        var configuration = ServerConfiguration(host: host, port: port, ioThreadCount: ioThreads)
        if let workers { configuration.workerCount = workers }
        let server = HTTPServer(configuration: configuration, responder: router, logger: logger)
        try server.start()
        server.runUntilSignalled {
            print("Serving http://\(host):\(server.port)/health — stop with Ctrl-C")
            fflush(nil)
        }
    }
}
