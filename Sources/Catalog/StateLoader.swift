import FoundationEssentials
import Logging

/// Reads a catalog's state from its files, trusting the feature file over the tracking file.
enum StateLoader {
    /// Loads the state, or an empty one (with a log line) when the feature file is missing, from
    /// another model or format, or unreadable: the next run then rebuilds everything.
    static func load(paths: CatalogPaths, model: ModelIdentity, imagesRoot: String, logger: Logger) -> CatalogState {
        let stamps = [fileStamp(paths.featuresFile), fileStamp(paths.processedFile)]
        var products: [IndexedProduct] = []
        var vectors: [Float] = []
        if FileManager.default.fileExists(atPath: paths.featuresFile) {
            do {
                let contents = try FeatureFile.read(paths.featuresFile, expecting: model)
                products = contents.products
                vectors = contents.vectors
            } catch FeatureFile.Rejection.incompatible(let reason) {
                logger.warning("Ignoring \(paths.featuresFile): \(reason). The next preprocess run rebuilds the index in full.")
            } catch {
                logger.warning("Ignoring \(paths.featuresFile): \(error). The next preprocess run rebuilds the index in full.")
            }
        }
        let tracking = TrackingFile.read(paths.processedFile)
        let records = trustedRecords(tracking?.records ?? [:], products: products)
        let store = FeatureStore(uncheckedIds: products.map(\.id),
                                 paths: products.map { imagesRoot + "/" + $0.relativePath },
                                 vectors: vectors, dimension: model.dimension,
                                 compactIndex: products.count >= FeatureStore.compactThreshold)
        return CatalogState(store: store.backedByFeatureFile(paths.featuresFile), products: products, records: records,
                            lastUpdate: tracking?.lastUpdate, diskStamps: stamps)
    }

    /// Keeps only records that agree with the feature file: an `indexed` record must name a product
    /// with the same md5 and id; a `failed` record must not name a product. A crash between writing the
    /// feature file and the tracking file therefore costs re-hashing the affected files, nothing more.
    static func trustedRecords(_ records: [String: FileRecord], products: [IndexedProduct]) -> [String: FileRecord] {
        var byPath: [String: Int] = [:]
        byPath.reserveCapacity(products.count)
        for (row, product) in products.enumerated() { byPath[product.relativePath] = row }
        return records.filter { path, record in
            let row = byPath[path]
            switch record.status {
            case .indexed: return row.map { products[$0].md5 == record.md5 && products[$0].id == record.id } ?? false
            case .failed: return row == nil
            }
        }
    }
}
