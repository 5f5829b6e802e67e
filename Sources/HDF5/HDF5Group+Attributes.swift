import CHDF5

/// Attributes of the group itself; on the root group these are the file's attributes.
extension HDF5Group {
    /// Whether the group has an attribute called `name`.
    public func hasAttribute(_ name: String) -> Bool {
        (try? file.withID { id in H5Aexists_by_name(id, path, name, chdf5_p_default()) > 0 }) ?? false
    }

    /// Reads a string attribute: a scalar or 1-D array of fixed-length (null-padded, null-terminated
    /// or space-padded) or variable-length strings. An empty array of any element type gives `[]`,
    /// as Keras stores the `weight_names` of weightless layers as an empty float64 array.
    public func stringsAttribute(_ name: String) throws -> [String] {
        try withAttribute(name) { attribute, type, space, full in
            let count = try elementCount(of: space, path: full)
            guard count > 0 else { return [] }
            guard H5Tget_class(type) == H5T_STRING, H5Sget_simple_extent_ndims(space) <= 1 else {
                throw HDF5Error.typeMismatch(path: full, expected: "a string attribute")
            }
            return try StringCodec.read(fileType: type, space: space, count: count, path: full) { memoryType, buffer in
                H5Aread(attribute, memoryType, buffer)
            }
        }
    }

    /// Reads an attribute holding exactly one string (a scalar or a one-element array).
    public func stringAttribute(_ name: String) throws -> String {
        let strings = try stringsAttribute(name)
        guard strings.count == 1, let string = strings.first else {
            throw HDF5Error.typeMismatch(path: attributePath(name), expected: "a single string")
        }
        return string
    }

    /// Reads an attribute holding one number of any integer or floating-point type.
    public func doubleAttribute(_ name: String) throws -> Double {
        try readNumber(name, memoryType: chdf5_native_double(), as: Double.self)
    }

    /// Reads an attribute holding one integer, or one floating-point number with an integral value.
    public func intAttribute(_ name: String) throws -> Int {
        let isInteger = try withAttribute(name) { _, type, _, _ in H5Tget_class(type) == H5T_INTEGER }
        if isInteger { return Int(try readNumber(name, memoryType: chdf5_native_int64(), as: Int64.self)) }
        let value = try doubleAttribute(name)
        guard let integer = Int(exactly: value) else {
            throw HDF5Error.typeMismatch(path: attributePath(name), expected: "an integer")
        }
        return integer
    }

    /// Stores `string` as a scalar variable-length UTF-8 string attribute, replacing any existing one.
    public func setAttribute(_ name: String, string: String) throws {
        try writeStringAttribute(name, [string], shape: [])
    }

    /// Stores `strings` as a 1-D variable-length UTF-8 string attribute, replacing any existing one.
    public func setAttribute(_ name: String, strings: [String]) throws {
        try writeStringAttribute(name, strings, shape: [strings.count])
    }

    /// Stores `double` as a scalar float64 attribute, replacing any existing one.
    public func setAttribute(_ name: String, double: Double) throws {
        var value = double
        try writeAttribute(name, fileType: chdf5_ieee_f64le(), memoryType: chdf5_native_double(), shape: []) {
            try $0(&value)
        }
    }

    /// Stores `int` as a scalar int64 attribute, replacing any existing one.
    public func setAttribute(_ name: String, int: Int) throws {
        var value = Int64(int)
        try writeAttribute(name, fileType: chdf5_std_i64le(), memoryType: chdf5_native_int64(), shape: []) {
            try $0(&value)
        }
    }

    // MARK: Helpers

    private func attributePath(_ name: String) -> String { "\(path)@\(name)" }

    /// Opens attribute `name` under the library lock and passes it with its type and dataspace.
    private func withAttribute<T>(_ name: String, _ body: (hid_t, hid_t, hid_t, String) throws -> T) throws -> T {
        let full = attributePath(name)
        return try file.withID { id in
            guard H5Aexists_by_name(id, path, name, chdf5_p_default()) > 0 else {
                throw HDF5Error.notFound(path: full)
            }
            let attribute = try check(
                H5Aopen_by_name(id, path, name, chdf5_p_default(), chdf5_p_default()), .readFailed(path: full))
            defer { H5Aclose(attribute) }
            let type = try check(H5Aget_type(attribute), .readFailed(path: full))
            defer { H5Tclose(type) }
            let space = try check(H5Aget_space(attribute), .readFailed(path: full))
            defer { H5Sclose(space) }
            return try body(attribute, type, space, full)
        }
    }

    /// Reads a single-element numeric attribute converted to `memoryType`.
    private func readNumber<T: Numeric & BitwiseCopyable>(_ name: String, memoryType: hid_t, as _: T.Type) throws -> T {
        try withAttribute(name) { attribute, type, space, full in
            let typeClass = H5Tget_class(type)
            guard typeClass == H5T_INTEGER || typeClass == H5T_FLOAT,
                  try elementCount(of: space, path: full) == 1
            else { throw HDF5Error.typeMismatch(path: full, expected: "a single number") }
            var value: T = 0
            let status = withUnsafeMutableBytes(of: &value) { H5Aread(attribute, memoryType, $0.baseAddress) }
            try check(status, .readFailed(path: full))
            return value
        }
    }

    private func writeStringAttribute(_ name: String, _ values: [String], shape: [Int]) throws {
        let full = attributePath(name)
        try file.withID { _ in
            let type = try StringCodec.makeVariableUTF8Type(path: full)
            defer { H5Tclose(type) }
            try StringCodec.withCStrings(values, path: full) { pointers in
                try writeAttribute(name, fileType: type, memoryType: type, shape: shape) {
                    guard let pointers, !values.isEmpty else { return }
                    try $0(pointers)
                }
            }
        }
    }

    /// Creates attribute `name` (deleting any existing one) and lets `fill` write its value by
    /// calling the function it receives with a pointer to the data in `memoryType` layout.
    private func writeAttribute(
        _ name: String, fileType: hid_t, memoryType: hid_t, shape: [Int],
        _ fill: ((UnsafeRawPointer) throws -> Void) throws -> Void
    ) throws {
        let full = attributePath(name)
        try file.withID { id in
            if H5Aexists_by_name(id, path, name, chdf5_p_default()) > 0 {
                try check(H5Adelete_by_name(id, path, name, chdf5_p_default()), .writeFailed(path: full))
            }
            let space = try makeDataspace(shape: shape, path: full)
            defer { H5Sclose(space) }
            let attribute = try check(
                H5Acreate_by_name(id, path, name, fileType, space, chdf5_p_default(), chdf5_p_default(),
                                  chdf5_p_default()),
                .writeFailed(path: full))
            defer { H5Aclose(attribute) }
            try fill { data in try check(H5Awrite(attribute, memoryType, data), .writeFailed(path: full)) }
        }
    }
}
