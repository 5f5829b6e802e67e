import Glibc
import Synchronization
import Testing
import Threads

@Suite struct ThreadsTests {
    @Test func startedThreadsRunAndSignalThroughTheConditionLock() {
        let lock = ConditionLock()
        let finished = Mutex(0)
        for index in 0..<4 {
            startThread(name: "test-\(index)") {
                lock.withLock {
                    finished.withLock { $0 += 1 }
                    lock.broadcast()
                }
            }
        }
        lock.withLock {
            while finished.withLock({ $0 }) < 4 { lock.wait() }
        }
        #expect(finished.withLock { $0 } == 4)
    }

    @Test func recursiveLockIsReentrantAndExcludesOtherThreads() {
        let lock = RecursiveLock()
        let otherGotIn = Atomic<Bool>(false)
        lock.lock()
        lock.lock()  // a plain mutex would deadlock here
        startThread(name: "test-other") {
            lock.lock()
            otherGotIn.store(true, ordering: .sequentiallyConsistent)
            lock.unlock()
        }
        lock.unlock()
        usleep(50_000)
        let enteredWhileHeld = otherGotIn.load(ordering: .sequentiallyConsistent)
        #expect(!enteredWhileHeld, "still held once by this thread")
        lock.unlock()
        for _ in 0..<500 where !otherGotIn.load(ordering: .sequentiallyConsistent) { usleep(2_000) }
        let enteredAfterRelease = otherGotIn.load(ordering: .sequentiallyConsistent)
        #expect(enteredAfterRelease)
    }
}
