import CEpoll
#if canImport(Glibc)
import Glibc
#endif
import Threads

/// One client connection: reads and parses requests, hands each complete one to the worker pool, writes
/// the response and continues with the next (pipelined requests are answered in order).
///
/// Thread safety: all mutable state is guarded by `lock`. Ownership moves between the event loop (while
/// the socket is armed in epoll) and one worker (while a handler runs and the response is written).
final class Connection: @unchecked Sendable {
    enum Phase {
        case reading
        case handling
        case writing
        case draining
        case closed
    }

    enum AfterOutput {
        case continueReading
        case close
        case linger
    }

    let fd: Int32
    private unowned let loop: EventLoop
    private let context: ServerContext
    private let remoteAddress: String
    private let lock = ConditionLock()

    private var phase = Phase.reading
    private var parser: RequestParser
    private var deadline: UInt64 = 0
    private var headStartedAt: UInt64 = 0
    private var peerClosed = false
    private var servedAny = false
    private var output: [UInt8] = []
    private var outputSent = 0
    private var afterOutput = AfterOutput.continueReading

    static let readBudget = 256 * 1024
    static let continueBytes = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    init(fd: Int32, loop: EventLoop, context: ServerContext, remoteAddress: String) {
        self.fd = fd
        self.loop = loop
        self.context = context
        self.remoteAddress = remoteAddress
        parser = RequestParser(limits: context.configuration.parserLimits)
    }

    // MARK: Entry points (each takes the lock)

    /// Registers the socket; a connection over the cap is answered 503 and closed.
    func start(rejected: Bool) {
        lock.withLock {
            var event = epoll_event()
            event.events = EPOLLONESHOT.rawValue
            event.data.fd = fd
            guard epoll_ctl(loop.epollFD, Int32(EPOLL_CTL_ADD), fd, &event) == 0 else {
                closeNow()
                return
            }
            if rejected {
                context.logger.warning("Refusing \(remoteAddress): \(context.configuration.maxConnections) connections open")
                fail(HTTPError(status: 503, message: "The server is at its connection limit; retry shortly."))
            } else {
                waitForRequest()
            }
        }
    }

    /// Loop thread: the socket is readable or writable.
    func handleEvent(_ events: UInt32, readBuffer: UnsafeMutableRawBufferPointer) {
        lock.withLock {
            switch phase {
            case .reading:
                if readAvailable(into: readBuffer) { processBuffered() }
            case .writing:
                flush()
            case .draining:
                drain(into: readBuffer)
            case .handling, .closed:
                break
            }
        }
    }

    /// Loop thread: enforces the header, body, idle, send and linger deadlines.
    func checkDeadline(_ now: UInt64) {
        lock.withLock {
            guard deadline != 0, now >= deadline else { return }
            switch phase {
            case .reading where parser.progress == .idle:
                closeNow()
            case .reading:
                let what = parser.progress == .head ? "request headers" : "request body"
                fail(HTTPError(status: 408, message: "Timed out waiting for the \(what)."))
            case .writing, .draining:
                closeNow()
            case .handling, .closed:
                break
            }
        }
    }

    /// Loop thread, at shutdown: closes the connection if it is between requests.
    func closeIfIdle() {
        lock.withLock {
            if phase == .reading && parser.progress == .idle { closeNow() }
        }
    }

    func forceClose() {
        lock.withLock { closeNow() }
    }

    // MARK: Reading

    /// Reads what the socket has (up to a budget, for fairness). False when the connection was closed.
    private func readAvailable(into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var total = 0
        while total < Self.readBudget {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 {
                parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                total += count
                if count < buffer.count { break }
            } else if count == 0 {
                peerClosed = true
                break
            } else {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { break }
                closeNow()
                return false
            }
        }
        return true
    }

    /// Parses buffered bytes: submits the next complete request, answers `100 Continue`, or waits for more.
    private func processBuffered() {
        while true {
            let event: RequestParser.Event?
            do {
                event = try parser.next()
            } catch {
                fail(error)
                return
            }
            guard let event else { break }
            switch event {
            case .continueExpected:
                guard sendImmediately(Self.continueBytes) else { return }
            case .request(var parsed):
                parsed.remoteAddress = remoteAddress
                let request = parsed
                phase = .handling
                servedAny = true
                deadline = 0
                headStartedAt = 0
                let started = monotonicNanoseconds()
                context.pool.submit { [self] in self.run(request, started: started) }
                return
            }
        }
        if peerClosed {
            closeNow()
            return
        }
        if context.isShuttingDown && parser.progress == .idle {
            closeNow()
            return
        }
        waitForRequest()
    }

    /// Sets the deadline that fits the parser's progress and re-arms the socket for reading.
    private func waitForRequest() {
        phase = .reading
        let now = monotonicNanoseconds()
        switch parser.progress {
        case .idle:
            // A fresh connection gets the header timeout for its first request: silent connections
            // must not hold a slot for the whole keep-alive idle time.
            headStartedAt = 0
            deadline = now + (servedAny ? context.idleNanos : context.headerNanos)
        case .head:
            if headStartedAt == 0 { headStartedAt = now }
            deadline = headStartedAt + context.headerNanos
        case .body:
            deadline = now + context.bodyNanos
        }
        arm(EPOLLIN.rawValue)
    }

    // MARK: Handling (worker thread)

    private func run(_ request: Request, started: UInt64) {
        let response = context.respond(to: request)
        lock.withLock {
            guard phase == .handling else { return }
            let keepAlive = request.keepAlive && !peerClosed && !context.isShuttingDown
            let bytes = context.serializer.serialize(response, omitBody: request.method == "HEAD",
                                                     keepAlive: keepAlive, http10: request.version == "HTTP/1.0")
            context.logAccess(remote: remoteAddress, method: request.method, path: request.path, version: request.version,
                              status: response.status, bytes: response.body.count, since: started)
            write(bytes, then: keepAlive ? .continueReading : (parser.bufferedByteCount > 0 ? .linger : .close))
        }
    }

    /// Answers an error the server found itself (malformed, too large, too slow, over capacity) and closes.
    private func fail(_ error: HTTPError) {
        let response = Response.error(error)
        let bytes = context.serializer.serialize(response, omitBody: false, keepAlive: false, http10: false)
        context.logAccess(remote: remoteAddress, method: "-", path: "-", version: "-", status: error.status,
                          bytes: response.body.count, since: monotonicNanoseconds())
        if error.status >= 500 || error.status == 408 || error.status == 413 || error.status == 431 {
            context.logger.notice("\(remoteAddress): \(error.status) \(error.message)")
        } else {
            context.logger.debug("\(remoteAddress): \(error.status) \(error.message)")
        }
        write(bytes, then: .linger)
    }

    // MARK: Writing

    private func write(_ bytes: [UInt8], then next: AfterOutput) {
        output = bytes
        outputSent = 0
        afterOutput = next
        phase = .writing
        flush()
    }

    /// Sends pending output; when done, continues as planned. Waits for writability when the socket is full.
    private func flush() {
        while outputSent < output.count {
            let sent = output.withUnsafeBytes { Socket.sendSome(fd, UnsafeRawBufferPointer(rebasing: $0[outputSent...])) }
            guard let sent else {
                closeNow()
                return
            }
            if sent == 0 {
                deadline = monotonicNanoseconds() + context.bodyNanos
                arm(EPOLLOUT.rawValue)
                return
            }
            outputSent += sent
        }
        output = []
        outputSent = 0
        switch afterOutput {
        case .continueReading: processBuffered()
        case .close: closeNow()
        case .linger: linger()
        }
    }

    /// Small writes on a connection with an empty send queue; false (and closed) if that fails.
    private func sendImmediately(_ bytes: [UInt8]) -> Bool {
        let sent = bytes.withUnsafeBytes { Socket.sendSome(fd, $0) }
        guard sent == bytes.count else {
            closeNow()
            return false
        }
        return true
    }

    // MARK: Closing

    /// Half-closes and reads what the client still sends, so that it sees our final response instead
    /// of a reset; closes on its end of stream or after a short deadline.
    private func linger() {
        _ = shutdown(fd, Int32(SHUT_WR))
        phase = .draining
        deadline = monotonicNanoseconds() + context.lingerNanos
        arm(EPOLLIN.rawValue)
    }

    private func drain(into buffer: UnsafeMutableRawBufferPointer) {
        var total = 0
        while total < Self.readBudget {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 {
                total += count
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                arm(EPOLLIN.rawValue)
                return
            } else {
                break
            }
        }
        if total >= Self.readBudget {
            arm(EPOLLIN.rawValue)
        } else {
            closeNow()
        }
    }

    private func arm(_ events: UInt32) {
        var event = epoll_event()
        event.events = events | EPOLLONESHOT.rawValue
        event.data.fd = fd
        if epoll_ctl(loop.epollFD, Int32(EPOLL_CTL_MOD), fd, &event) != 0 {
            closeNow()
        }
    }

    private func closeNow() {
        guard phase != .closed else { return }
        phase = .closed
        deadline = 0
        output = []
        parser = RequestParser(limits: parser.limits)
        loop.unregister(self)
        close(fd)
        context.openConnections.subtract(1, ordering: .relaxed)
    }
}
