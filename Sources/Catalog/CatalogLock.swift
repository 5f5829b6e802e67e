import FoundationEssentials
import Glibc
import Synchronization

/// Keeps two indexing runs from interleaving: an in-process flag plus an advisory `flock` on a file
/// in the generated folder, so a CLI run and a server (or two servers) exclude each other as well.
/// A second run is refused at once, never queued.
final class CatalogLock: Sendable {
    private let inProcess = Atomic<Bool>(false)
    let path: String

    init(path: String) { self.path = path }

    var isHeld: Bool { inProcess.load(ordering: .acquiring) }

    /// Runs `body` holding the lock, or throws `CatalogError.alreadyRunning`.
    func withLock<T>(_ body: () throws -> T) throws -> T {
        guard inProcess.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            throw CatalogError.alreadyRunning
        }
        defer { inProcess.store(false, ordering: .releasing) }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFile.ioError(path) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            throw errno == EWOULDBLOCK ? CatalogError.alreadyRunning : AtomicFile.ioError(path)
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
