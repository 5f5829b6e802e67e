import FoundationEssentials

/// Reads and writes `processed_images.json`: per file (keyed by path relative to the images folder)
/// its id, md5, size, mtime (seconds, plus `mtime_ns` exactly), inode, status (`indexed` or `failed`)
/// and error; plus `last_update`, the time the index last changed.
///
/// It is a cache: a record counts only while it agrees with the feature file (see `Indexer`), so a
/// lost or stale tracking file costs re-hashing, never a wrong index.
enum TrackingFile {
    static let formatVersion = 1

    struct Contents {
        var records: [String: FileRecord]
        var lastUpdate: Date?
    }

    static func write(_ contents: Contents, to path: String) throws {
        var text = "{\n  \"format_version\": \(formatVersion),\n"
        text += "  \"last_update\": \(JSONText.optional(contents.lastUpdate.map(Timestamp.string))),\n"
        text += "  \"files\": {"
        let sorted = contents.records.values.sorted { $0.relativePath.utf8.lexicographicallyPrecedes($1.relativePath.utf8) }
        for (index, record) in sorted.enumerated() {
            text += index == 0 ? "\n    " : ",\n    "
            text += JSONText.quoted(record.relativePath) + ": {"
            text += "\"image_id\": \(JSONText.quoted(record.id)), "
            text += "\"md5\": \(JSONText.quoted(record.md5)), "
            text += "\"size\": \(record.stamp.size), "
            text += "\"mtime\": \(Double(record.stamp.modifiedNanoseconds) / 1e9), "
            text += "\"mtime_ns\": \(record.stamp.modifiedNanoseconds), "
            text += "\"inode\": \(record.stamp.inode), "
            text += "\"status\": \(JSONText.quoted(record.status.rawValue)), "
            text += "\"error\": \(JSONText.optional(record.error))}"
        }
        text += sorted.isEmpty ? "}\n}\n" : "\n  }\n}\n"
        try AtomicFile.write(Data(text.utf8), to: path)
    }

    /// Reads the file; a missing or unreadable file yields no records (everything gets re-hashed).
    static func read(_ path: String) -> Contents? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? data.withUnsafeBytes { raw in
            var reader = JSONReader(raw.bindMemory(to: UInt8.self))
            var version = -1
            var lastUpdate: Date?
            var records: [String: FileRecord] = [:]
            try reader.readObject { reader, key in
                switch key {
                case "format_version": version = Int(try reader.readInt64())
                case "last_update": lastUpdate = reader.readNull() ? nil : Timestamp.date(try reader.readString())
                case "files":
                    try reader.readObject { reader, relativePath in
                        if let record = try readRecord(&reader, relativePath) { records[relativePath] = record }
                    }
                default: try reader.skipValue()
                }
            }
            guard version == formatVersion else { return nil }
            return Contents(records: records, lastUpdate: lastUpdate)
        }
    }

    /// One file's entry; nil when a field is missing or has an unknown status.
    private static func readRecord(_ reader: inout JSONReader, _ relativePath: String) throws -> FileRecord? {
        var id: String?, md5: String?, status: FileStatus?, error: String?
        var size: Int64?, modified: Int64?, inode: UInt64?
        try reader.readObject { reader, key in
            switch key {
            case "image_id": id = try reader.readString()
            case "md5": md5 = try reader.readString()
            case "size": size = try reader.readInt64()
            case "mtime_ns": modified = try reader.readInt64()
            case "inode": inode = try reader.readUInt64()
            case "status": status = FileStatus(rawValue: try reader.readString())
            case "error": error = reader.readNull() ? nil : try reader.readString()
            default: try reader.skipValue()
            }
        }
        guard let id, let md5, let status, let size, let modified, let inode else { return nil }
        return FileRecord(relativePath: relativePath, id: id, md5: md5,
                          stamp: FileStamp(size: size, modifiedNanoseconds: modified, inode: inode),
                          status: status, error: error)
    }
}
