import Foundation

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
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["format_version"] as? Int == formatVersion,
              let files = object["files"] as? [String: Any] else { return nil }
        var records: [String: FileRecord] = [:]
        records.reserveCapacity(files.count)
        for (relativePath, value) in files {
            guard let fields = value as? [String: Any], let record = record(relativePath, fields) else { continue }
            records[relativePath] = record
        }
        let lastUpdate = (object["last_update"] as? String).flatMap(Timestamp.date)
        return Contents(records: records, lastUpdate: lastUpdate)
    }

    private static func record(_ relativePath: String, _ fields: [String: Any]) -> FileRecord? {
        guard let id = fields["image_id"] as? String, let md5 = fields["md5"] as? String,
              let size = (fields["size"] as? NSNumber)?.int64Value,
              let modified = (fields["mtime_ns"] as? NSNumber)?.int64Value,
              let inode = (fields["inode"] as? NSNumber)?.uint64Value,
              let status = (fields["status"] as? String).flatMap(FileStatus.init(rawValue:)) else { return nil }
        return FileRecord(relativePath: relativePath, id: id, md5: md5,
                          stamp: FileStamp(size: size, modifiedNanoseconds: modified, inode: inode),
                          status: status, error: fields["error"] as? String)
    }
}
