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

/// Runs `body` on the pieces `0..<size`, `size..<2·size`, ... of `0..<count`, which up to `threads`
/// threads take in turn: a thread the system keeps waiting simply takes fewer.
func forEachPiece(of count: Int, size: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    let pieces = WorkQueue(count: (count + size - 1) / size)
    parallel(min(threads, pieces.count)) { _ in
        while let piece = pieces.take() { body(piece * size ..< min(count, (piece + 1) * size)) }
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
