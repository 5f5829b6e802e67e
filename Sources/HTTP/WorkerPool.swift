import Threads

/// A fixed set of threads running jobs in submission order. The queue is bounded by its callers: each
/// connection has at most one request in a job at a time and connections are capped.
final class WorkerPool: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private let lock = ConditionLock()
    private var jobs: [Job?] = []
    private var head = 0
    private var idleWorkers = 0
    private var stopped = false

    private let threadCount: Int
    private let name: String

    init(threads: Int, name: String) {
        threadCount = max(1, threads)
        self.name = name
    }

    /// Starts the threads.
    func start() {
        for index in 0..<threadCount {
            startThread(name: "\(name)-\(index)") { [self] in self.work() }
        }
    }

    func submit(_ job: @escaping Job) {
        lock.lock()
        jobs.append(job)
        let wake = idleWorkers > 0
        lock.unlock()
        if wake { lock.signal() }
    }

    /// Lets idle workers exit; running jobs finish first, queued ones are dropped.
    func stop() {
        lock.withLock {
            stopped = true
            jobs.removeAll()
            head = 0
        }
        lock.broadcast()
    }

    private func work() {
        while let job = take() {
            job()
        }
    }

    private func take() -> Job? {
        lock.lock()
        defer { lock.unlock() }
        while head == jobs.count && !stopped {
            idleWorkers += 1
            lock.wait()
            idleWorkers -= 1
        }
        if stopped { return nil }
        let job = jobs[head]
        jobs[head] = nil
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= jobs.count {
            jobs.removeSubrange(0..<head)
            head = 0
        }
        return job
    }
}
