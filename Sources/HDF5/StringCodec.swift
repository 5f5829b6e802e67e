import CHDF5
import FoundationEssentials
import Glibc

/// Conversion between HDF5 string data (fixed- or variable-length) and Swift strings, shared by
/// datasets and attributes. Callers hold the library lock.
enum StringCodec {
    /// Reads the `count` strings of an object whose stored type is the string type `fileType`.
    /// `read` performs the actual `H5Dread`/`H5Aread` with the given memory type into the buffer.
    static func read(
        fileType: hid_t, space: hid_t, count: Int, path: String,
        using read: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        guard count > 0 else { return [] }
        if H5Tis_variable_str(fileType) > 0 {
            return try readVariable(fileType: fileType, space: space, count: count, path: path, using: read)
        }
        return try readFixed(fileType: fileType, count: count, path: path, using: read)
    }

    /// A new variable-length UTF-8 string type; the caller closes it.
    static func makeVariableUTF8Type(path: String) throws -> hid_t {
        let type = try check(H5Tcopy(chdf5_c_s1()), .writeFailed(path: path))
        guard H5Tset_size(type, chdf5_variable()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
            H5Tclose(type)
            throw HDF5Error.writeFailed(path: path)
        }
        return type
    }

    /// Passes `body` a buffer of C string pointers holding `values`, as variable-length string
    /// writes expect. Strings containing NUL cannot be stored as C strings and are rejected.
    static func withCStrings<T>(_ values: [String], path: String, _ body: (UnsafeRawPointer?) throws -> T) throws -> T {
        guard values.allSatisfy({ !$0.utf8.contains(0) }) else {
            throw HDF5Error.invalidArgument("a string for \(path) contains a NUL character")
        }
        let copies = values.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        guard copies.allSatisfy({ $0 != nil }) else { throw HDF5Error.writeFailed(path: path) }
        return try copies.withUnsafeBytes { try body($0.baseAddress) }
    }

    private static func readVariable(
        fileType: hid_t, space: hid_t, count: Int, path: String,
        using read: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        let memoryType = try check(H5Tcopy(chdf5_c_s1()), .readFailed(path: path))
        defer { H5Tclose(memoryType) }
        try check(H5Tset_size(memoryType, chdf5_variable()), .readFailed(path: path))
        let cset = H5Tget_cset(fileType)
        if cset != H5T_CSET_ERROR { try check(H5Tset_cset(memoryType, cset), .readFailed(path: path)) }

        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        try pointers.withUnsafeMutableBytes { buffer in
            // baseAddress is non-nil: count > 0.
            guard let base = buffer.baseAddress else { throw HDF5Error.readFailed(path: path) }
            try check(read(memoryType, base), .readFailed(path: path))
        }
        let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
        pointers.withUnsafeMutableBytes { buffer in
            _ = chdf5_vlen_reclaim(memoryType, space, buffer.baseAddress)
        }
        return strings
    }

    private static func readFixed(
        fileType: hid_t, count: Int, path: String,
        using read: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        let size = H5Tget_size(fileType)
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: size)
        guard size > 0, !overflow, byteCount <= maximumElementCount else { throw HDF5Error.readFailed(path: path) }
        let memoryType = try check(H5Tcopy(fileType), .readFailed(path: path))
        defer { H5Tclose(memoryType) }

        var bytes = [UInt8](repeating: 0, count: byteCount)
        try bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { throw HDF5Error.readFailed(path: path) }
            try check(read(memoryType, base), .readFailed(path: path))
        }
        let spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD
        return (0..<count).map { index in
            var element = bytes[index * size..<(index + 1) * size]
            if let end = element.firstIndex(of: 0) { element = element[..<end] }
            if spacePadded { while element.last == 0x20 { element.removeLast() } }
            return String(decoding: element, as: UTF8.self)
        }
    }
}
