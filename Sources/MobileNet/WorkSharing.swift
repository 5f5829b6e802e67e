import Synchronization
import Threads

/// The threads one `FeatureExtractor` call runs on: the caller plus long-lived helper threads that
/// sleep between calls. `run` hands every member the same job; jobs pull their work from a
/// `WorkQueue`, so a member the system keeps waiting simply takes less of it, and the caller never
/// waits for a helper that has not started. Between the jobs of one call, threads poll briefly
/// (`pollNanoseconds`) before sleeping, so that consecutive jobs do not each pay for a wake-up.
final class ThreadTeam: @unchecked Sendable {
    /// Helper threads (the caller is the extra member).
    let helpers: Int
    private let condition = ConditionLock()
    // Guarded by `condition`: the open job (nil once the caller is done with its own share), its
    // number, how many helpers may join it, and how many joined and finished.
    private var job: ((Int) -> Void)?
    private var generation = 0
    private var seats = 0
    private var joined = 0
    private var finished = 0
    private var stopped = false
    /// Lock-free copies of `generation` and of `joined - finished`, for brief polling before sleeping.
    private let published = Atomic<Int>(0)
    private let outstanding = Atomic<Int>(0)
    /// How long a thread polls for its next event before it sleeps: waking a sleeping thread took
    /// 50–100 µs here, as long as a whole late layer's share, while one image has 9 hand-offs.
    static let pollNanoseconds: UInt64 = 50_000

    init(helpers: Int) {
        self.helpers = max(0, helpers)
        for member in stride(from: 1, through: self.helpers, by: 1) {
            startThread(name: "mobilenet-\(member)") { [self] in serve(member: member) }
        }
    }

    /// Runs `body(member)` on the caller (member 0) and on up to `members - 1` helpers; returns when
    /// every member that started is done. Helpers that have not started by the time the caller has
    /// finished its own `body` are not waited for, so `body` should take its work from a shared
    /// `WorkQueue` and write only memory that no other member writes.
    func run(members: Int, _ body: (Int) -> Void) {
        let extra = min(helpers, members - 1)
        guard extra > 0 else { return body(0) }
        withoutActuallyEscaping(body) { body in
            condition.lock()
            job = body
            generation += 1
            published.store(generation, ordering: .releasing)
            seats = extra
            joined = 0
            finished = 0
            condition.broadcast()
            condition.unlock()
            body(0)
            condition.lock()
            job = nil  // closed: helpers that wake up now skip this job
            if finished < joined {
                condition.unlock()
                Self.poll { outstanding.load(ordering: .acquiring) == 0 }
                condition.lock()
            }
            while finished < joined { condition.wait() }
            condition.unlock()
        }
    }

    /// Returns when `ready()` or after `pollNanoseconds`.
    private static func poll(_ ready: () -> Bool) {
        guard pollNanoseconds > 0 else { return }
        let start = monotonicNanoseconds()
        var rounds = 0
        while !ready() {
            rounds &+= 1
            if rounds & 63 == 0 && monotonicNanoseconds() &- start > pollNanoseconds { return }
        }
    }

    /// Lets the helpers end (they finish the current job first).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func serve(member: Int) {
        var seen = 0
        condition.lock()
        while true {
            if generation == seen && !stopped {
                condition.unlock()
                Self.poll { published.load(ordering: .acquiring) != seen }
                condition.lock()
            }
            while generation == seen && !stopped { condition.wait() }
            if stopped { break }
            seen = generation
            guard let body = job, joined < seats else { continue }
            joined += 1
            outstanding.add(1, ordering: .relaxed)
            condition.unlock()
            body(member)
            condition.lock()
            finished += 1
            outstanding.subtract(1, ordering: .releasing)
            condition.broadcast()
        }
        condition.unlock()
    }
}

/// Hands out the indices `0..<count`, each once, to whichever thread asks first.
final class WorkQueue: Sendable {
    let count: Int
    private let next = Atomic<Int>(0)

    init(count: Int) { self.count = count }

    func take() -> Int? {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < count ? index : nil
    }
}
