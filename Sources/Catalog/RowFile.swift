#if canImport(Glibc)
import Glibc
#endif

/// The float32 rows of a feature file, read one at a time with `pread` through a descriptor opened
/// once. An index run that renames a new file over the path does not change what it reads: the
/// descriptor keeps the old file until the store that owns it is released.
final class RowFile: Sendable {
    let path: String
    private let descriptor: Int32
    private let offset: Int
    let rows: Int
    let dimension: Int

    /// Opens `path`, whose `rows` × `dimension` little-endian float32 values start at byte `offset`.
    init(path: String, offset: Int, rows: Int, dimension: Int) throws(CatalogError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CatalogError.io(path: path, reason: String(cString: strerror(errno))) }
        var status = stat()
        let needed = offset + rows * dimension * MemoryLayout<Float>.size
        guard fstat(descriptor, &status) == 0, Int(status.st_size) >= needed else {
            close(descriptor)
            throw CatalogError.corruptIndex(path: path, reason: "its feature rows end past the end of the file")
        }
        self.path = path
        self.descriptor = descriptor
        self.offset = offset
        self.rows = rows
        self.dimension = dimension
    }

    deinit { close(descriptor) }

    /// Reads rows `range` into `buffer` (room for `range.count × dimension` floats); false on an I/O error.
    func read(_ range: Range<Int>, into buffer: UnsafeMutablePointer<Float>) -> Bool {
        let rowBytes = dimension * MemoryLayout<Float>.size
        var done = 0
        let total = range.count * rowBytes
        let start = offset + range.lowerBound * rowBytes
        while done < total {
            let count = pread(descriptor, UnsafeMutableRawPointer(buffer) + done, total - done, off_t(start + done))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }

    /// Row `row`; nil on an I/O error.
    func row(_ row: Int) -> [Float]? {
        var values = [Float](repeating: 0, count: dimension)
        let ok = values.withUnsafeMutableBufferPointer { read(row..<(row + 1), into: $0.baseAddress!) }
        return ok ? values : nil
    }

    /// The dot product of row `row` with the `dimension` floats at `query`; nil on an I/O error.
    func score(_ row: Int, query: UnsafePointer<Float>) -> Float? {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: dimension) { buffer in
            read(row..<(row + 1), into: buffer.baseAddress!) ? VectorMath.dot(buffer.baseAddress!, query, count: dimension) : nil
        }
    }

    /// Every row, row after row; nil on an I/O error.
    func readAll() -> [Float]? {
        var ok = true
        let values = [Float](unsafeUninitializedCapacity: rows * dimension) { buffer, initialised in
            ok = rows == 0 || read(0..<rows, into: buffer.baseAddress!)
            if !ok { buffer.initialize(repeating: 0) }
            initialised = buffer.count
        }
        return ok ? values : nil
    }
}
