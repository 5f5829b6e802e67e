import CHDF5

/// A group inside an open HDF5 file. It keeps its file alive. Object paths given to its methods
/// are relative to the group and may span several levels (`conv1/conv1/kernel:0`).
public struct HDF5Group: Sendable {
    /// The file holding this group.
    public let file: HDF5File
    /// The group's absolute path inside the file (`/` for the root).
    public let path: String

    init(file: HDF5File, path: String) {
        self.file = file
        self.path = path
    }

    /// Whether an object (group or dataset) exists at `path`, relative to this group.
    public func exists(_ path: String) -> Bool {
        guard let components = try? components(of: path) else { return false }
        return (try? file.withID { id in
            var prefix = self.path
            for component in components {
                prefix = Self.join(prefix, component)
                guard H5Lexists(id, prefix, chdf5_p_default()) > 0 else { return false }
            }
            return H5Oexists_by_name(id, prefix, chdf5_p_default()) > 0
        }) ?? false
    }

    /// Opens the existing group at `path`, relative to this group.
    public func openGroup(_ path: String) throws -> HDF5Group {
        let full = try absolutePath(path)
        try withObject(path, expecting: H5I_GROUP, "a group") { _ in }
        return HDF5Group(file: file, path: full)
    }

    /// Creates a group (and any missing intermediate groups) at `name`, relative to this group.
    /// An existing group at `name` is returned as it is.
    public func createGroup(_ name: String) throws -> HDF5Group {
        let full = try absolutePath(name)
        if exists(name) { return try openGroup(name) }
        try file.withID { id in
            let linkList = try makeLinkCreationList(path: full)
            defer { H5Pclose(linkList) }
            let group = try check(
                H5Gcreate2(id, full, linkList, chdf5_p_default(), chdf5_p_default()), .writeFailed(path: full))
            H5Gclose(group)
        }
        return HDF5Group(file: file, path: full)
    }

    /// Names of the group's direct members, in ascending name order.
    public func memberNames() throws -> [String] {
        try file.withID { id in
            var info = H5G_info_t()
            try check(H5Gget_info_by_name(id, path, &info, chdf5_p_default()), .readFailed(path: path))
            return try (0..<info.nlinks).map { index in
                let length = H5Lget_name_by_idx(
                    id, path, H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, chdf5_p_default())
                guard length >= 0 else { throw HDF5Error.readFailed(path: path) }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                guard H5Lget_name_by_idx(
                    id, path, H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, chdf5_p_default()) >= 0
                else { throw HDF5Error.readFailed(path: path) }
                return String(decoding: buffer.prefix(Int(length)).map(UInt8.init(bitPattern:)), as: UTF8.self)
            }
        }
    }

    // MARK: Helpers shared by the dataset and attribute extensions

    /// The absolute in-file path of `relative`; throws for an empty path.
    func absolutePath(_ relative: String) throws -> String {
        try components(of: relative).reduce(path, Self.join)
    }

    /// Opens the object at `relative` under the library lock, checks its kind and passes its id
    /// (closed afterwards) and absolute path to `body`.
    func withObject<T>(
        _ relative: String, expecting kind: H5I_type_t, _ kindName: String,
        _ body: (hid_t, String) throws -> T
    ) throws -> T {
        let full = try absolutePath(relative)
        return try file.withID { _ in
            guard exists(relative) else { throw HDF5Error.notFound(path: full) }
            let object = try file.withID { id in
                try check(H5Oopen(id, full, chdf5_p_default()), .readFailed(path: full))
            }
            defer { H5Oclose(object) }
            guard H5Iget_type(object) == kind else { throw HDF5Error.typeMismatch(path: full, expected: kindName) }
            return try body(object, full)
        }
    }

    func withObject<T>(
        _ relative: String, expecting kind: H5I_type_t, _ kindName: String, _ body: (hid_t) throws -> T
    ) throws -> T {
        try withObject(relative, expecting: kind, kindName) { object, _ in try body(object) }
    }

    /// Removes the link at absolute `full` if there is one, so that a write can replace it.
    func removeExisting(_ full: String, fileID id: hid_t) throws {
        guard H5Lexists(id, full, chdf5_p_default()) > 0 else { return }
        try check(H5Ldelete(id, full, chdf5_p_default()), .writeFailed(path: full))
    }

    /// A link creation property list that creates missing intermediate groups; close it after use.
    func makeLinkCreationList(path full: String) throws -> hid_t {
        let list = try check(H5Pcreate(chdf5_p_link_create()), .writeFailed(path: full))
        guard H5Pset_create_intermediate_group(list, 1) >= 0 else {
            H5Pclose(list)
            throw HDF5Error.writeFailed(path: full)
        }
        return list
    }

    private func components(of relative: String) throws -> [Substring] {
        let parts = relative.split(separator: "/")
        guard !parts.isEmpty else { throw HDF5Error.invalidArgument("empty object path '\(relative)'") }
        return parts
    }

    private static func join(_ base: String, _ component: Substring) -> String {
        base == "/" ? "/" + component : base + "/" + component
    }
}
