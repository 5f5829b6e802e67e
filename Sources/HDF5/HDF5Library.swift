import CHDF5
import FoundationEssentials
import Threads

/// Process-wide access to libhdf5.
///
/// The serial libhdf5 must not be entered by two threads at once, so every call into it in this
/// module runs inside `locked`, which holds one process-wide recursive lock. The lock is recursive
/// so that helpers holding it can call other helpers that take it again (e.g. `deinit` of a file
/// released while a group operation runs). Nothing in the locked sections blocks on other locks.
enum HDF5Library {
    private static let lock = RecursiveLock()

    /// `H5open()`, run exactly once (Swift initialises static lets once, thread-safely).
    private static let isOpen: Bool = H5open() >= 0

    /// Runs `body` holding the library lock, after initialising the library once.
    ///
    /// HDF5's automatic error printing is switched off on every entry: in thread-safe builds of
    /// libhdf5 (Debian's is one) that setting belongs to the calling thread's error stack, so a
    /// single call at start-up would not cover other threads. The call is cheap.
    static func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard isOpen else { throw HDF5Error.invalidArgument("libhdf5 failed to initialise") }
        chdf5_silence_errors()
        return try body()
    }
}

/// Returns `id`, or throws `error` when HDF5 reported failure with a negative identifier.
@discardableResult
func check(_ id: hid_t, _ error: @autoclosure () -> HDF5Error) throws -> hid_t {
    guard id >= 0 else { throw error() }
    return id
}

/// Throws `error` when an HDF5 call returned a negative status.
func check(_ status: herr_t, _ error: @autoclosure () -> HDF5Error) throws {
    guard status >= 0 else { throw error() }
}

/// The largest element count the wrapper will allocate for one read (2^32), so that a corrupt
/// extent cannot make the process try to allocate an absurd buffer.
let maximumElementCount = 1 << 32

/// Element count of a dataspace, validated against `maximumElementCount`.
func elementCount(of space: hid_t, path: String) throws -> Int {
    let count = H5Sget_simple_extent_npoints(space)
    guard count >= 0, count <= maximumElementCount else { throw HDF5Error.readFailed(path: path) }
    return Int(count)
}

/// Dimensions of a simple dataspace (`[]` for scalar and null dataspaces).
func dimensions(of space: hid_t, path: String) throws -> [Int] {
    let rank = H5Sget_simple_extent_ndims(space)
    guard rank >= 0 else { throw HDF5Error.readFailed(path: path) }
    guard rank > 0 else { return [] }
    var dims = [hsize_t](repeating: 0, count: Int(rank))
    guard H5Sget_simple_extent_dims(space, &dims, nil) == rank else { throw HDF5Error.readFailed(path: path) }
    return try dims.map {
        guard $0 <= hsize_t(maximumElementCount) else { throw HDF5Error.readFailed(path: path) }
        return Int($0)
    }
}

/// A new simple dataspace of `shape` (a scalar dataspace for `[]`).
func makeDataspace(shape: [Int], path: String) throws -> hid_t {
    if shape.isEmpty { return try check(H5Screate(H5S_SCALAR), .writeFailed(path: path)) }
    let dims = shape.map { hsize_t($0) }
    return try check(H5Screate_simple(Int32(dims.count), dims, nil), .writeFailed(path: path))
}
