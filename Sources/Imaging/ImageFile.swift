import FoundationEssentials
import Glibc

/// Reads an image file whole, refusing before reading if it is larger than the limit.
enum ImageFile {
    static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError() }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw posixError() }
        let size = Int(status.st_size)
        if size > limit { throw ImageError.fileTooLarge(bytes: size, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { buffer in
                buffer.baseAddress.map { Glibc.read(fd, $0 + done, size - done) } ?? 0
            }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw posixError() }
            if n == 0 { break }  // the file shrank while we read it
            done += n
        }
        return Array(bytes.prefix(done))
    }

    private static func posixError() -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
}
