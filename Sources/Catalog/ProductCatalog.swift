import FoundationEssentials
import Imaging
import Logging
import MobileNet
import Synchronization

/// A product catalog: the current searchable snapshot and the incremental indexer that renews it.
///
/// Queries read `store`, an immutable snapshot; a run builds a complete new state and swaps it in
/// one step, so a query sees the old catalog or the new one, never a mix. Only one run at a time:
/// a second `preprocess` call (from this process or another, via a lock file) is refused with
/// `CatalogError.alreadyRunning` at once.
public final class ProductCatalog: Sendable {
    public let paths: CatalogPaths
    public let model: MobileNetModel
    public let identity: ModelIdentity
    private let logger: Logger
    private let state: Mutex<CatalogState>
    private let lock: CatalogLock
    private let decode: ImageFileDecoder

    /// Opens a catalog, loading an existing index when it was built by the same model and format
    /// version (otherwise it starts empty and the next run rebuilds, with a log line).
    public convenience init(paths: CatalogPaths, model: MobileNetModel, modelPath: String, logger: Logger) throws {
        try self.init(paths: paths, model: model, modelPath: modelPath, logger: logger, limits: .default)
    }

    /// As above, with the limits applied to catalog images.
    public init(paths: CatalogPaths, model: MobileNetModel, modelPath: String, logger: Logger, limits: ImageLimits) throws {
        self.paths = paths
        self.model = model
        self.logger = logger
        let weightsMD5: String
        do { weightsMD5 = try MD5.hex(ofFile: modelPath) } catch {
            throw CatalogError.modelUnavailable("cannot read the weight file \(modelPath)")
        }
        identity = ModelIdentity(alpha: Double(model.alpha), inputSize: model.inputSize,
                                 dimension: model.featureDimension, weightsMD5: weightsMD5)
        lock = CatalogLock(path: paths.lockFile)
        decode = ImageDecoding.fileDecoder(limits: limits)
        let root = CatalogScanner.realPath(paths.imagesDirectory) ?? paths.imagesDirectory
        state = Mutex(StateLoader.load(paths: paths, model: identity, imagesRoot: root, logger: logger))
    }

    /// The current snapshot.
    public var store: FeatureStore { state.withLock { $0.store } }

    /// Whether a run is in progress in this process.
    public var isIndexing: Bool { lock.isHeld }

    /// Indexes new and changed images, drops removed ones, persists the three files and swaps the
    /// snapshot. `forceFull` re-hashes and re-embeds every image. `batchSize` must be 1...128.
    /// Throws `alreadyRunning` while another run holds the catalog, `imagesFolderMissing`, or an
    /// I/O error when the index cannot be written (the previous index then stays in place).
    public func preprocess(forceFull: Bool = false, batchSize: Int = 32,
                           progress: (@Sendable (IndexProgress) -> Void)? = nil) throws -> IndexSummary {
        guard (1...128).contains(batchSize) else { throw CatalogError.invalidBatchSize(batchSize) }
        let started = Date()
        try FileManager.default.createDirectory(atPath: paths.generatedDirectory, withIntermediateDirectories: true)
        return try lock.withLock {
            AtomicFile.removeLeftovers(in: paths.generatedDirectory,
                                       for: ["products_feature.h5", "products_fields.csv", "processed_images.json"])
            let scan = try CatalogScanner.scan(paths.imagesDirectory)
            let old = currentStateReloadingIfChanged(imagesRoot: scan.rootPath)
            let pipeline = EmbedPipeline(model: model, batchSize: batchSize, workers: EmbedPipeline.defaultWorkers, decode: decode)
            let run = IndexRun(old: old, scan: scan, forceFull: forceFull, dimension: model.featureDimension) { files in
                let reporter = ProgressReporter(total: files.count, callback: progress)
                return pipeline.run(files) { reporter.report(done: $0) }
            }
            var result = try run.execute()
            try persist(&result, imagesRoot: scan.rootPath)
            state.withLock { $0 = result.state }
            let summary = makeSummary(result, scan: scan, seconds: Date().timeIntervalSince(started))
            logger.info("\(summary.message)")
            return summary
        }
    }

    /// Files on disk against the index, from a stat-only scan (nothing is read or hashed).
    public func status() -> IndexStatus {
        let current = state.withLock { $0 }
        let files = (try? CatalogScanner.scan(paths.imagesDirectory).files) ?? []
        let rows = current.rows
        var pending = 0, failed = 0
        for file in files {
            if let record = current.records[file.relativePath], record.stamp == file.stamp {
                if record.status == .failed { failed += 1 }
            } else if current.records[file.relativePath] != nil || rows[file.relativePath] == nil {
                // New, or changed since it was last fingerprinted.
                pending += 1
            }
        }
        let onDisk = Set(files.map(\.relativePath))
        return IndexStatus(totalImages: files.count,
                           processedImages: current.products.count,
                           pendingImages: pending,
                           removedImages: current.products.filter { !onDisk.contains($0.relativePath) }.count,
                           failedImages: failed,
                           featureFileExists: FileManager.default.fileExists(atPath: paths.featuresFile),
                           metadataFileExists: FileManager.default.fileExists(atPath: paths.fieldsFile)
                               && FileManager.default.fileExists(atPath: paths.processedFile),
                           isRunning: isIndexing,
                           lastUpdate: current.lastUpdate)
    }

    // MARK: Run steps

    /// The in-memory state, or a fresh read of the files when another process changed them.
    private func currentStateReloadingIfChanged(imagesRoot: String) -> CatalogState {
        let current = state.withLock { $0 }
        let onDisk = [fileStamp(paths.featuresFile), fileStamp(paths.processedFile)]
        guard onDisk != current.diskStamps else { return current }
        logger.info("Index files changed on disk since they were loaded; reloading them.")
        return StateLoader.load(paths: paths, model: identity, imagesRoot: imagesRoot, logger: logger)
    }

    /// Writes what changed: the feature file first (the source of truth), then the CSV and the
    /// tracking file. Each is replaced atomically; see `StateLoader.trustedRecords` for why a crash
    /// between them is harmless.
    private func persist(_ result: inout IndexRun.Result, imagesRoot: String) throws {
        let missing = [paths.featuresFile, paths.fieldsFile, paths.processedFile].contains { !FileManager.default.fileExists(atPath: $0) }
        if result.productsChanged || missing {
            let products = result.state.products
            try FeatureFile.write(.init(products: products, vectors: result.state.store.allVectors(), dimension: model.featureDimension),
                                  model: identity, to: paths.featuresFile)
            result.state.store = result.state.store.backedByFeatureFile(paths.featuresFile)
            result.state.lastUpdate = Date()
        }
        if result.productsChanged || result.recordsChanged || missing {
            let stamps = Dictionary(result.state.records.values.map { ($0.relativePath, $0.stamp) }, uniquingKeysWith: { a, _ in a })
            try FieldsFile.write(result.state.products, stamps: stamps, imagesRoot: imagesRoot, to: paths.fieldsFile)
            try TrackingFile.write(.init(records: result.state.records, lastUpdate: result.state.lastUpdate), to: paths.processedFile)
        }
        result.state.diskStamps = [fileStamp(paths.featuresFile), fileStamp(paths.processedFile)]
    }

    private func makeSummary(_ result: IndexRun.Result, scan: CatalogScan, seconds: Double) -> IndexSummary {
        let counts = result.summary
        var parts: [String] = []
        if counts.new > 0 {
            parts.append("processed \(counts.new) new image\(counts.new == 1 ? "" : "s")"
                         + (counts.modified > 0 ? " (\(counts.modified) modified)" : ""))
        }
        if counts.removed > 0 { parts.append("removed \(counts.removed)") }
        if counts.failed > 0 { parts.append("\(counts.failed) could not be read (see processed_images.json)") }
        let message = parts.isEmpty
            ? "No changes; \(result.state.products.count) products indexed"
            : "Successfully " + parts.joined(separator: ", ") + "; \(result.state.products.count) products indexed"
        return IndexSummary(totalImages: scan.files.count, newImages: counts.new, modifiedImages: counts.modified,
                            removedImages: counts.removed, failedImages: counts.failed, unchangedImages: counts.unchanged,
                            seconds: seconds, message: message)
    }
}

/// Turns embedded-image counts into `IndexProgress` values (rate and ETA), one call at a time.
private final class ProgressReporter: Sendable {
    private let total: Int
    private let callback: (@Sendable (IndexProgress) -> Void)?
    private let started = Date()
    private let serial = Mutex<Void>(())

    init(total: Int, callback: (@Sendable (IndexProgress) -> Void)?) {
        self.total = total
        self.callback = callback
    }

    func report(done: Int) {
        guard let callback else { return }
        let elapsed = Date().timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : nil
        serial.withLock { _ in callback(IndexProgress(done: done, total: total, imagesPerSecond: rate, etaSeconds: eta)) }
    }
}
