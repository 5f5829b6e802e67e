import CHDF5

/// An open HDF5 file. Safe to share between threads: every library call is serialised by the
/// module's process-wide lock (see `HDF5Library`), which also guards `id`.
public final class HDF5File: @unchecked Sendable {
    /// The file's path on disk, as given when it was opened.
    public let path: String
    /// The HDF5 file identifier; negative once closed. Accessed only under the library lock.
    private var id: hid_t

    private init(path: String, id: hid_t) {
        self.path = path
        self.id = id
    }

    /// Opens an existing file for reading.
    public static func openReadOnly(_ path: String) throws -> HDF5File {
        try HDF5Library.locked {
            let id = try check(H5Fopen(path, chdf5_acc_rdonly(), chdf5_p_default()), .openFailed(path: path))
            return HDF5File(path: path, id: id)
        }
    }

    /// Creates a file for writing, replacing any existing file at `path`.
    public static func create(_ path: String) throws -> HDF5File {
        try HDF5Library.locked {
            let id = try check(
                H5Fcreate(path, chdf5_acc_trunc(), chdf5_p_default(), chdf5_p_default()),
                .createFailed(path: path))
            return HDF5File(path: path, id: id)
        }
    }

    /// The root group `/`; on it, attribute methods read and write the file's attributes.
    public var root: HDF5Group { HDF5Group(file: self, path: "/") }

    /// Writes buffered data to disk (the caller still fsyncs if it needs durability).
    public func flush() throws {
        try withID { id in
            try check(H5Fflush(id, H5F_SCOPE_GLOBAL), .writeFailed(path: path))
        }
    }

    /// Closes the file. Calling it again does nothing; later reads and writes throw.
    public func close() throws {
        try HDF5Library.locked {
            guard id >= 0 else { return }
            let status = H5Fclose(id)
            id = -1
            try check(status, .writeFailed(path: path))
        }
    }

    deinit {
        try? close()
    }

    /// Runs `body` with the open file's identifier while holding the library lock.
    func withID<T>(_ body: (hid_t) throws -> T) throws -> T {
        try HDF5Library.locked {
            guard id >= 0 else { throw HDF5Error.invalidArgument("the HDF5 file \(path) is closed") }
            return try body(id)
        }
    }
}
