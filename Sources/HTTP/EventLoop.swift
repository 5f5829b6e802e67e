import CEpoll
#if canImport(Glibc)
import Glibc
#endif
import Threads

/// One socket I/O thread: an epoll set with the listening socket and the connections it accepted.
///
/// Connections are registered one-shot: after an event, nothing more is reported for that socket until
/// its owner re-arms it, so a connection is driven by one thread at a time (this loop, or the worker
/// running its handler). The loop also enforces timeouts by sweeping its connections every tick.
final class EventLoop: @unchecked Sendable {
    let epollFD: Int32
    private let wakeFD: Int32
    private let listenFD: Int32
    private let context: ServerContext
    private let tickMillis: Int32

    // Guarded by `lock`.
    private let lock = ConditionLock()
    private var connections: [Int32: Connection] = [:]
    private var tasks: [@Sendable () -> Void] = []
    private var finished = false

    // Loop thread only.
    private var running = true
    private var accepting = false
    private var acceptPausedUntil: UInt64 = 0

    static let readBufferSize = 64 * 1024

    init(context: ServerContext, listenFD: Int32) throws(HTTPServerError) {
        self.context = context
        self.listenFD = listenFD
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw .socketFailure(operation: "epoll_create1()", errno: errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            close(epollFD)
            throw .socketFailure(operation: "eventfd()", errno: errno)
        }
        let configuration = context.configuration
        let shortest = [configuration.headerTimeout, configuration.bodyTimeout, configuration.idleTimeout].min() ?? .seconds(1)
        tickMillis = Int32(clamping: max(5, min(250, Int(shortest.nanoseconds / 4_000_000))))
        register(wakeFD, events: EPOLLIN.rawValue)
    }

    /// Starts the loop thread; it accepts connections until `stopAccepting()`.
    func start() {
        startThread(name: "http-io") { [self] in self.run() }
    }

    // MARK: Called from other threads

    /// Runs `task` on the loop thread and waits for it.
    func performAndWait(_ task: @escaping @Sendable () -> Void) {
        let done = ConditionLock()
        nonisolated(unsafe) var complete = false
        perform {
            task()
            done.withLock { complete = true }
            done.signal()
        }
        done.withLock {
            while !complete { done.wait() }
        }
    }

    func perform(_ task: @escaping @Sendable () -> Void) {
        let accepted = lock.withLock {
            guard !finished else { return false }
            tasks.append(task)
            return true
        }
        if accepted {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        } else {
            task()
        }
    }

    func unregister(_ connection: Connection) {
        lock.withLock { _ = connections.removeValue(forKey: connection.fd) }
    }

    // MARK: Loop thread

    func stopAccepting() {
        if accepting { _ = epoll_ctl(epollFD, Int32(EPOLL_CTL_DEL), listenFD, nil) }
        accepting = false
        acceptPausedUntil = .max
    }

    func stop() { running = false }

    /// Closes connections waiting for a next request (used when shutting down).
    func closeIdleConnections() {
        for connection in snapshot() { connection.closeIfIdle() }
    }

    func closeAllConnections() {
        for connection in snapshot() { connection.forceClose() }
    }

    private func snapshot() -> [Connection] {
        lock.withLock { Array(connections.values) }
    }

    private func run() {
        resumeAccepting()
        let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readBufferSize, alignment: 16)
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: 256)
        defer {
            readBuffer.deallocate()
            events.deallocate()
        }
        var nextSweep = monotonicNanoseconds() + UInt64(tickMillis) * 1_000_000
        while running {
            let count = epoll_wait(epollFD, events, 256, tickMillis)
            if count < 0 && errno != EINTR { break }
            for index in 0..<max(0, Int(count)) {
                let event = events[index]
                let fd = event.data.fd
                if fd == wakeFD {
                    runTasks()
                } else if fd == listenFD {
                    acceptConnections()
                } else if let connection = lock.withLock({ connections[fd] }) {
                    connection.handleEvent(event.events, readBuffer: readBuffer)
                }
            }
            let now = monotonicNanoseconds()
            if now >= nextSweep {
                sweep(now)
                nextSweep = now + UInt64(tickMillis) * 1_000_000
            }
        }
        closeAllConnections()
        lock.withLock { finished = true }
        runTasks()
        close(wakeFD)
        close(epollFD)
    }

    private func runTasks() {
        var one: UInt64 = 0
        _ = read(wakeFD, &one, 8)
        let pending = lock.withLock {
            defer { tasks.removeAll() }
            return tasks
        }
        for task in pending { task() }
    }

    private func sweep(_ now: UInt64) {
        if !accepting && now >= acceptPausedUntil { resumeAccepting() }
        for connection in snapshot() { connection.checkDeadline(now) }
    }

    private func resumeAccepting() {
        guard !accepting, acceptPausedUntil != .max else { return }
        let exclusive = context.configuration.ioThreadCount > 1 ? EPOLLEXCLUSIVE.rawValue : 0
        register(listenFD, events: EPOLLIN.rawValue | exclusive)
        accepting = true
    }

    private func register(_ fd: Int32, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        _ = epoll_ctl(epollFD, Int32(EPOLL_CTL_ADD), fd, &event)
    }

    private func acceptConnections() {
        let configuration = context.configuration
        let hardCap = configuration.maxConnections + configuration.maxConnections / 4 + 16
        for _ in 0..<64 {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept4(listenFD, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EAGAIN, EWOULDBLOCK: return
                default:
                    // Out of descriptors or memory: stop accepting briefly instead of spinning.
                    context.logger.warning("accept() failed: \(systemErrorMessage(errno)); pausing accepts for 100 ms")
                    _ = epoll_ctl(epollFD, Int32(EPOLL_CTL_DEL), listenFD, nil)
                    accepting = false
                    acceptPausedUntil = monotonicNanoseconds() + 100_000_000
                    return
                }
            }
            let open = context.openConnections.add(1, ordering: .relaxed).newValue
            if open > hardCap {
                close(fd)
                context.openConnections.subtract(1, ordering: .relaxed)
                continue
            }
            Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            let connection = Connection(fd: fd, loop: self, context: context, remoteAddress: Socket.describe(address))
            lock.withLock { connections[fd] = connection }
            connection.start(rejected: open > configuration.maxConnections)
        }
    }
}
