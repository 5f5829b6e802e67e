import Dispatch
import Foundation

/// Runs `body(0..<parts)` on `parts` threads (the caller is one of them) and returns when all are
/// done. Callers give the parts disjoint memory to write, which is what makes handing the
/// non-Sendable closure to Dispatch sound.
func parallel(_ parts: Int, _ body: (Int) -> Void) {
    if parts <= 1 { return body(0) }
    withoutActuallyEscaping(body) { body in
        let work = UncheckedWork(body: body)
        DispatchQueue.concurrentPerform(iterations: parts) { work.body($0) }
    }
}

private struct UncheckedWork: @unchecked Sendable {
    let body: (Int) -> Void
}

/// Hands out the indices `0..<count`, each once, to whichever thread asks first.
final class WorkQueue: @unchecked Sendable {
    let count: Int
    private var next = 0
    private let lock = NSLock()

    init(count: Int) { self.count = count }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}
