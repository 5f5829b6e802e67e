import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Threads

/// An HTTP/1.1 server on POSIX sockets: event-loop threads do the socket I/O and parsing, a bounded
/// worker pool runs the responder. See `ServerConfiguration` for limits and timeouts.
public final class HTTPServer: Sendable {
    private struct State: Sendable {
        var listenFD: Int32 = -1
        var port = 0
        var loops: [EventLoop] = []
        var running = false
        var stopped = false
    }

    private let context: ServerContext
    private let state = Mutex(State())

    public init(configuration: ServerConfiguration, responder: some Responder, logger: Logger) {
        context = ServerContext(configuration: configuration, responder: responder, logger: logger)
    }

    public var configuration: ServerConfiguration { context.configuration }

    /// Binds, listens and starts the I/O threads. Throws `HTTPServerError` (e.g. port in use).
    public func start() throws {
        try state.withLock { state throws(HTTPServerError) in
            guard !state.running && !state.stopped else { throw .alreadyStarted }
            let configuration = context.configuration
            let fd = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
            var loops: [EventLoop] = []
            do throws(HTTPServerError) {
                for _ in 0..<max(1, configuration.ioThreadCount) {
                    loops.append(try EventLoop(context: context, listenFD: fd))
                }
            } catch {
                close(fd)
                throw error
            }
            state.listenFD = fd
            state.port = Socket.localPort(fd)
            state.loops = loops
            state.running = true
            context.pool.start()
            loops.forEach { $0.start() }
            context.logger.notice("Listening on \(configuration.host):\(state.port)", metadata: [
                "workers": "\(configuration.workerCount)", "ioThreads": "\(loops.count)",
            ])
        }
    }

    /// The bound port (the chosen one when configured with port 0); 0 before `start()`.
    public var port: Int { state.withLock { $0.port } }

    /// Connections currently open.
    public var openConnections: Int { context.openConnections.load(ordering: .relaxed) }

    /// Stops accepting, closes idle connections, lets in-flight requests finish for up to `grace`
    /// (default: the configured `shutdownGrace`), then closes everything. Safe to call more than once.
    public func shutdown(grace: Duration? = nil) {
        let (loops, listenFD) = state.withLock { state -> ([EventLoop], Int32) in
            guard state.running else { return ([], -1) }
            state.running = false
            state.stopped = true
            return (state.loops, state.listenFD)
        }
        guard !loops.isEmpty else { return }
        context.shuttingDown.store(true, ordering: .relaxed)
        for loop in loops {
            loop.performAndWait { [loop] in loop.stopAccepting() }
        }
        close(listenFD)
        for loop in loops {
            loop.performAndWait { [loop] in loop.closeIdleConnections() }
        }
        let limit = monotonicNanoseconds() + (grace ?? context.configuration.shutdownGrace).nanoseconds
        while context.openConnections.load(ordering: .relaxed) > 0 && monotonicNanoseconds() < limit {
            usleep(5_000)
        }
        let unfinished = context.openConnections.load(ordering: .relaxed)
        if unfinished > 0 {
            context.logger.warning("Closing \(unfinished) connections still busy after the shutdown grace period")
        }
        for loop in loops {
            loop.performAndWait { [loop] in
                loop.closeAllConnections()
                loop.stop()
            }
        }
        context.pool.stop()
        context.logger.notice("Server stopped")
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully and returns.
    /// - Parameter ready: called once the signal handlers are in place (announce readiness here, so
    ///   that a signal sent right after the announcement is never missed).
    public func runUntilSignalled(ready: () -> Void = {}) {
        let number = SignalWaiter.wait(ready: ready)
        context.logger.notice("Received \(number == SIGTERM ? "SIGTERM" : number == SIGINT ? "SIGINT" : "signal \(number)"); shutting down")
        shutdown()
    }
}
