import CHDF5

extension HDF5Group {
    /// Reads a 1-D (or scalar) dataset of fixed- or variable-length strings.
    public func readStrings(_ dataset: String) throws -> [String] {
        try withObject(dataset, expecting: H5I_DATASET, "a dataset") { object, full in
            let type = try check(H5Dget_type(object), .readFailed(path: full))
            defer { H5Tclose(type) }
            let space = try check(H5Dget_space(object), .readFailed(path: full))
            defer { H5Sclose(space) }
            guard H5Tget_class(type) == H5T_STRING, H5Sget_simple_extent_ndims(space) <= 1 else {
                throw HDF5Error.typeMismatch(path: full, expected: "a 1-D string dataset")
            }
            let count = try elementCount(of: space, path: full)
            return try StringCodec.read(fileType: type, space: space, count: count, path: full) { memoryType, buffer in
                H5Dread(object, memoryType, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), buffer)
            }
        }
    }

    /// Writes `values` as a 1-D dataset of variable-length UTF-8 strings, replacing any existing
    /// object at `dataset` and creating missing intermediate groups.
    public func writeStrings(_ dataset: String, _ values: [String]) throws {
        let full = try absolutePath(dataset)
        try file.withID { id in
            try StringCodec.withCStrings(values, path: full) { pointers in
                try removeExisting(full, fileID: id)
                let type = try StringCodec.makeVariableUTF8Type(path: full)
                defer { H5Tclose(type) }
                let space = try makeDataspace(shape: [values.count], path: full)
                defer { H5Sclose(space) }
                let linkList = try makeLinkCreationList(path: full)
                defer { H5Pclose(linkList) }
                let object = try check(
                    H5Dcreate2(id, full, type, space, linkList, chdf5_p_default(), chdf5_p_default()),
                    .writeFailed(path: full))
                defer { H5Dclose(object) }
                guard let pointers, !values.isEmpty else { return }
                try check(
                    H5Dwrite(object, type, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), pointers),
                    .writeFailed(path: full))
            }
        }
    }
}
