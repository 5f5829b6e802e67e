import FoundationEssentials
import Glibc

/// Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it over
/// the target, then fsync the folder. A crash at any point leaves the old file or the new one.
enum AtomicFile {
    /// A temporary path in the same folder (so the rename stays on one file system).
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        return folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Writes `data` to `path` atomically.
    static func write(_ data: Data, to path: String) throws {
        try replace(path) { temporary in
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw ioError(temporary) }
            defer { close(fd) }
            try data.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw ioError(temporary)
                    }
                    offset += written
                }
            }
        }
    }

    /// Lets `produce` write a temporary file (by path), then fsyncs it and renames it over `path`.
    /// The temporary file is removed when anything fails.
    static func replace(_ path: String, produce: (String) throws -> Void) throws {
        let temporary = temporaryPath(for: path)
        do {
            try produce(temporary)
            try fsync(path: temporary)
            guard rename(temporary, path) == 0 else { throw ioError(path) }
        } catch {
            unlink(temporary)
            throw error
        }
        try fsync(path: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Flushes a file or folder to disk.
    static func fsync(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError(path) }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw ioError(path) }
    }

    /// Removes temporary files an interrupted run left in a folder (names `.<file>.tmp-*`).
    static func removeLeftovers(in folder: String, for names: [String]) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where names.contains(where: { entry.hasPrefix("." + $0 + ".tmp-") }) {
            unlink(folder + "/" + entry)
        }
    }

    static func ioError(_ path: String) -> CatalogError {
        .io(path: path, reason: String(cString: strerror(errno)))
    }
}
