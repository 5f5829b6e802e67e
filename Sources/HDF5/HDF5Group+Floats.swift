import CHDF5

extension HDF5Group {
    /// Reads a dataset of any rank whose elements are floating-point (any width) or integers,
    /// converted to `Float`.
    public func readFloats(_ dataset: String) throws -> FloatArray {
        try withObject(dataset, expecting: H5I_DATASET, "a dataset") { object, full in
            let type = try check(H5Dget_type(object), .readFailed(path: full))
            defer { H5Tclose(type) }
            let typeClass = H5Tget_class(type)
            guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER else {
                throw HDF5Error.typeMismatch(path: full, expected: "a numeric dataset")
            }
            let space = try check(H5Dget_space(object), .readFailed(path: full))
            defer { H5Sclose(space) }
            let shape = try dimensions(of: space, path: full)
            let count = try elementCount(of: space, path: full)
            var status: herr_t = 0
            let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
                if count > 0 {
                    status = H5Dread(object, chdf5_native_float(), chdf5_s_all(), chdf5_s_all(),
                                     chdf5_p_default(), buffer.baseAddress)
                }
                // Zero on failure so that the array never exposes uninitialised memory.
                if status < 0 { buffer.initialize(repeating: 0) }
                initialised = count
            }
            try check(status, .readFailed(path: full))
            return FloatArray(shape: shape, values: values)
        }
    }

    /// Writes `values` as a little-endian float32 dataset of `shape` (row-major), replacing any
    /// existing object at `dataset` and creating missing intermediate groups. Dimensions may be 0
    /// (e.g. `[0, 1024]`); `[]` writes a scalar.
    public func writeFloats(_ dataset: String, shape: [Int], values: UnsafeBufferPointer<Float>) throws {
        try validate(shape: shape, count: values.count)
        let full = try absolutePath(dataset)
        try file.withID { id in
            try removeExisting(full, fileID: id)
            let space = try makeDataspace(shape: shape, path: full)
            defer { H5Sclose(space) }
            let linkList = try makeLinkCreationList(path: full)
            defer { H5Pclose(linkList) }
            let object = try check(
                H5Dcreate2(id, full, chdf5_ieee_f32le(), space, linkList, chdf5_p_default(), chdf5_p_default()),
                .writeFailed(path: full))
            defer { H5Dclose(object) }
            guard let base = values.baseAddress, !values.isEmpty else { return }
            try check(
                H5Dwrite(object, chdf5_native_float(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), base),
                .writeFailed(path: full))
        }
    }

    /// Writes `values` as a float32 dataset of `shape`; see the buffer-pointer overload.
    public func writeFloats(_ dataset: String, shape: [Int], values: [Float]) throws {
        try values.withUnsafeBufferPointer { try writeFloats(dataset, shape: shape, values: $0) }
    }

    private func validate(shape: [Int], count: Int) throws {
        guard shape.count <= 32 else { throw HDF5Error.invalidArgument("rank \(shape.count) exceeds 32") }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw HDF5Error.invalidArgument("negative dimension in shape \(shape)")
        }
        var product = 1
        for extent in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw HDF5Error.invalidArgument("shape \(shape) is too large") }
            product = next
        }
        guard product == count else {
            throw HDF5Error.invalidArgument("shape \(shape) holds \(product) values but \(count) were given")
        }
    }
}

extension HDF5Group {
    /// Where a little-endian float32 dataset's values lie in the file, as a byte offset, when they
    /// are stored in one contiguous, allocated run (HDF5's default layout); nil for any other layout
    /// or element type. Lets a reader fetch single rows with `pread` instead of loading them all.
    public func contiguousFloat32Offset(_ dataset: String) throws -> Int? {
        try withObject(dataset, expecting: H5I_DATASET, "a dataset") { object, full in
            let type = try check(H5Dget_type(object), .readFailed(path: full))
            defer { H5Tclose(type) }
            guard H5Tequal(type, chdf5_ieee_f32le()) > 0 else { return nil }
            let offset = H5Dget_offset(object)
            return offset == haddr_t.max || offset > UInt64(Int.max) ? nil : Int(offset)
        }
    }
}
