import FoundationEssentials

/// Progress of the embedding phase of an indexing run.
public struct IndexProgress: Sendable {
    /// Images embedded (or found unreadable) so far.
    public let done: Int
    /// Images this run embeds in all.
    public let total: Int
    public let imagesPerSecond: Double
    /// Estimated seconds left; nil until a rate is known.
    public let etaSeconds: Double?

    public init(done: Int, total: Int, imagesPerSecond: Double, etaSeconds: Double?) {
        self.done = done
        self.total = total
        self.imagesPerSecond = imagesPerSecond
        self.etaSeconds = etaSeconds
    }
}

/// What an indexing run did.
public struct IndexSummary: Sendable {
    /// Image files found in the catalog folder.
    public let totalImages: Int
    /// Images whose vector was computed (or reused from an identical file) in this run: new and
    /// modified ones, and every image on a forced full run.
    public let newImages: Int
    /// Of `newImages`, files that were indexed before with other content.
    public let modifiedImages: Int
    /// Products dropped because their file is gone.
    public let removedImages: Int
    /// Files on disk that cannot be indexed (unreadable or not a valid image); each is retried only
    /// once its content changes.
    public let failedImages: Int
    /// Files whose stored vector was kept.
    public let unchangedImages: Int
    /// Wall time of the run.
    public let seconds: Double
    public let message: String
}

/// A cheap view of the catalog's state (a stat-only scan, no hashing).
public struct IndexStatus: Sendable {
    /// Image files in the catalog folder now.
    public let totalImages: Int
    /// Products in the loaded index.
    public let processedImages: Int
    /// Files on disk that are new or changed since they were last indexed (by size, mtime, inode).
    public let pendingImages: Int
    /// Indexed products whose file is gone.
    public let removedImages: Int
    /// Files on record as failing whose fingerprint has not changed.
    public let failedImages: Int
    public let featureFileExists: Bool
    public let metadataFileExists: Bool
    public let isRunning: Bool
    /// When the index last changed.
    public let lastUpdate: Date?
}
