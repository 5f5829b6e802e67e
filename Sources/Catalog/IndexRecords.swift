/// One product in the index: a row of the feature matrix and what it came from.
struct IndexedProduct: Sendable, Equatable {
    var id: String
    /// Path relative to the images folder.
    var relativePath: String
    var md5: String
    var width: Int
    var height: Int
    /// When its vector was computed (ISO 8601 UTC).
    var indexedAt: String
}

/// The outcome of the last attempt at a file.
enum FileStatus: String, Sendable {
    case indexed
    case failed
}

/// What the last run learned about one file: its fingerprint and whether it could be indexed.
struct FileRecord: Sendable, Equatable {
    var relativePath: String
    var id: String
    var md5: String
    var stamp: FileStamp
    var status: FileStatus
    var error: String?
}
