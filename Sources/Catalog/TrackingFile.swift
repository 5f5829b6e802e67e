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
              let file = try? JSONDecoder().decode(Stored.self, from: data),
              file.format_version == formatVersion else { return nil }
        var records: [String: FileRecord] = [:]
        records.reserveCapacity(file.files.count)
        for (relativePath, entry) in file.files {
            guard let status = FileStatus(rawValue: entry.status) else { continue }
            records[relativePath] = FileRecord(relativePath: relativePath, id: entry.image_id, md5: entry.md5,
                                               stamp: FileStamp(size: entry.size, modifiedNanoseconds: entry.mtime_ns, inode: entry.inode),
                                               status: status, error: entry.error)
        }
        return Contents(records: records, lastUpdate: file.last_update.flatMap(Timestamp.date))
    }

    /// The file's shape, for decoding (names as in the file).
    private struct Stored: Decodable {
        struct Entry: Decodable {
            let image_id: String
            let md5: String
            let size: Int64
            let mtime_ns: Int64
            let inode: UInt64
            let status: String
            let error: String?
        }
        let format_version: Int
        let last_update: String?
        let files: [String: Entry]
    }
}
