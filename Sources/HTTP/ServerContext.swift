import Logging
import Synchronization
import Threads

/// What every connection of one server shares: configuration, the application, the worker pool,
/// counters and the access log.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let responder: any Responder
    let logger: Logger
    let pool: WorkerPool
    let cors: CORSPolicy
    let serializer: ResponseSerializer
    let openConnections = Atomic<Int>(0)
    let shuttingDown = Atomic<Bool>(false)

    let idleNanos: UInt64
    let headerNanos: UInt64
    let bodyNanos: UInt64
    let lingerNanos: UInt64

    init(configuration: ServerConfiguration, responder: any Responder, logger: Logger) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        pool = WorkerPool(threads: configuration.workerCount, name: "http-worker")
        cors = CORSPolicy(allowedOrigins: configuration.corsAllowedOrigins)
        serializer = ResponseSerializer(serverName: configuration.serverName)
        idleNanos = configuration.idleTimeout.nanoseconds
        headerNanos = configuration.headerTimeout.nanoseconds
        bodyNanos = configuration.bodyTimeout.nanoseconds
        lingerNanos = min(bodyNanos, 2_000_000_000)
    }

    var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    /// Runs the application, then applies the CORS policy.
    func respond(to request: Request) -> Response {
        var response = responder.respond(to: request)
        cors.apply(to: &response, for: request)
        return response
    }

    /// One access-log line per request: client, request line, status, body bytes, duration.
    func logAccess(remote: String, method: String, path: String, version: String, status: Int, bytes: Int, since start: UInt64) {
        guard logger.logLevel <= .info else { return }
        let micros = (monotonicNanoseconds() &- start) / 1000
        let millis = "\(micros / 1000).\(String(micros % 1000 / 10).leftPadded(to: 2))"
        logger.info("\(remote) \"\(method) \(path) \(version)\" \(status) \(bytes) \(millis)ms")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
