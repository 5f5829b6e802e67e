#if canImport(Glibc)
import Glibc
#endif

/// Waits for SIGINT or SIGTERM in a process that already runs other threads.
///
/// Dispatch signal sources rely on the signal being blocked in every thread, which threads started
/// earlier (the server's) do not do; a signal delivered to one of them would then kill the process or
/// be lost. A process-wide handler that posts a semaphore (async-signal-safe) works from any thread.
enum SignalWaiter {
    nonisolated(unsafe) private static let semaphore: UnsafeMutablePointer<sem_t> = {
        let pointer = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
        sem_init(pointer, 0, 0)
        return pointer
    }()

    nonisolated(unsafe) private static var lastSignal: Int32 = 0

    /// Installs the handlers, calls `ready`, blocks until a signal arrives, restores the default
    /// dispositions and returns the signal number.
    static func wait(for signals: [Int32] = [SIGINT, SIGTERM], ready: () -> Void) -> Int32 {
        _ = semaphore
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                SignalWaiter.lastSignal = number
                sem_post(SignalWaiter.semaphore)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(SA_RESTART)
            sigaction(number, &action, nil)
        }
        // Unblocked here at least, so the signal has a thread to land on.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in signals { sigaddset(&unblock, number) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        ready()
        while sem_wait(semaphore) != 0 && errno == EINTR {}
        for number in signals { signal(number, SIG_DFL) }
        return lastSignal
    }
}
