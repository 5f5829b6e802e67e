#if canImport(Glibc)
import Glibc
#endif

/// How the server listens, what it accepts and how long it waits.
public struct ServerConfiguration: Sendable {
    /// Address to bind: "0.0.0.0" (IPv4), "::" (IPv6 and IPv4), "127.0.0.1", a host name...
    public var host: String
    /// Port to bind; 0 picks a free one (see `HTTPServer.port`).
    public var port: Int
    /// Open connections beyond this are answered 503 and closed.
    public var maxConnections: Int
    /// Request line plus headers, in bytes (431 beyond).
    public var maxHeaderBytes: Int
    /// Request body, in bytes (413 beyond).
    public var maxBodyBytes: Int
    /// Time allowed for a complete request head, from its first byte (408 after); also how long a new
    /// connection may stay silent before its first request.
    public var headerTimeout: Duration
    /// Longest pause while a body arrives, or while a response is being sent (408 / close after).
    public var bodyTimeout: Duration
    /// Keep-alive connections with no request for this long are closed.
    public var idleTimeout: Duration
    /// How long shutdown waits for in-flight requests before closing their connections.
    public var shutdownGrace: Duration
    /// Threads that run handlers (the bounded pool); defaults to the number of cores.
    public var workerCount: Int
    /// Threads that do socket I/O (accept, read, parse). One is usually enough; see notes/http.md.
    public var ioThreadCount: Int
    /// Origins that may call from browsers (`*` for any); empty disables CORS headers.
    public var corsAllowedOrigins: [String]
    /// The `Server` header value.
    public var serverName: String
    /// Listen backlog.
    public var backlog: Int32

    public init(host: String = "0.0.0.0", port: Int = 8000, maxConnections: Int = 4096,
                maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 25 * 1024 * 1024,
                headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30),
                idleTimeout: Duration = .seconds(60), shutdownGrace: Duration = .seconds(10),
                workerCount: Int = ServerConfiguration.coreCount, ioThreadCount: Int = 1,
                corsAllowedOrigins: [String] = ["*"], serverName: String = "similarity", backlog: Int32 = 1024) {
        self.host = host
        self.port = port
        self.maxConnections = maxConnections
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.shutdownGrace = shutdownGrace
        self.workerCount = workerCount
        self.ioThreadCount = ioThreadCount
        self.corsAllowedOrigins = corsAllowedOrigins
        self.serverName = serverName
        self.backlog = backlog
    }

    /// The number of cores this process may run on.
    public static var coreCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    var parserLimits: ParserLimits {
        ParserLimits(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
    }
}

extension Duration {
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
