import Dispatch
import FoundationEssentials
import Synchronization

/// One incremental indexing run: scan → fingerprint → diff → embed → assemble the new state.
/// Persisting and swapping are the caller's (`ProductCatalog`).
struct IndexRun {
    let old: CatalogState
    let scan: CatalogScan
    let forceFull: Bool
    let dimension: Int
    /// Embeds absolute paths; returns rows and outcomes in the same order.
    let embed: ([String]) -> (vectors: [Float], outcomes: [EmbedOutcome])

    struct Result {
        var state: CatalogState
        var summary: (new: Int, modified: Int, removed: Int, failed: Int, unchanged: Int)
        /// Whether the indexed products (ids, paths, content) differ from the old state's.
        var productsChanged: Bool
        /// Whether any file record differs.
        var recordsChanged: Bool
    }

    /// What to do with one scanned file.
    private enum Decision {
        case keep(row: Int)                 // vector from the old store
        case keepFailed(FileRecord)         // known bad, unchanged content
        case reuse(row: Int, md5: String)   // identical content indexed under another path
        case embed(md5: String)             // compute a vector
        case vanished                       // could not be read for hashing
    }

    /// Throws when the old rows cannot be read back from the feature file.
    func execute() throws(CatalogError) -> Result {
        if let unchanged = unchangedResult() { return unchanged }
        let oldRows = old.rows
        var decisions = [Decision?](repeating: nil, count: scan.files.count)
        var toHash: [Int] = []
        for (index, file) in scan.files.enumerated() {
            if let decision = decisionFromStamp(file, oldRows: oldRows) { decisions[index] = decision } else { toHash.append(index) }
        }
        let hashes = hashInParallel(toHash.map { scan.rootPath + "/" + scan.files[$0].relativePath })
        var md5ToOldRow: [String: Int] = [:]
        if !forceFull { for (row, product) in old.products.enumerated() { md5ToOldRow[product.md5] = row } }
        for (position, index) in toHash.enumerated() {
            decisions[index] = decisionFromHash(scan.files[index], md5: hashes[position], oldRows: oldRows, md5ToOldRow: md5ToOldRow)
        }
        return try assemble(decisions.map { $0 ?? .vanished }, oldRows: oldRows)
    }

    /// The common case of a scheduled run, answered from the stamps alone: every file on disk has a
    /// record with the same stamp and id, and every record is a file on disk.
    private func unchangedResult() -> Result? {
        guard !forceFull, scan.files.count == old.records.count else { return nil }
        var indexed = 0, failed = 0
        for file in scan.files {
            guard let record = old.records[file.relativePath], record.stamp == file.stamp, record.id == file.id else { return nil }
            if record.status == .indexed { indexed += 1 } else { failed += 1 }
        }
        guard indexed == old.products.count else { return nil }
        return Result(state: old, summary: (new: 0, modified: 0, removed: 0, failed: failed, unchanged: indexed),
                      productsChanged: false, recordsChanged: false)
    }

    /// Decides from the stored stamp alone, or returns nil when the file must be hashed.
    private func decisionFromStamp(_ file: ScannedFile, oldRows: [String: Int]) -> Decision? {
        guard !forceFull, let record = old.records[file.relativePath], record.stamp == file.stamp else { return nil }
        switch record.status {
        case .indexed:
            guard let row = oldRows[file.relativePath], old.products[row].md5 == record.md5 else { return nil }
            return .keep(row: row)
        case .failed:
            return .keepFailed(record)
        }
    }

    private func decisionFromHash(_ file: ScannedFile, md5: String?, oldRows: [String: Int], md5ToOldRow: [String: Int]) -> Decision {
        guard let md5 else { return .vanished }
        if !forceFull {
            if let row = oldRows[file.relativePath], old.products[row].md5 == md5 { return .keep(row: row) }
            if let record = old.records[file.relativePath], record.status == .failed, record.md5 == md5 {
                return .keepFailed(record)
            }
            if let row = md5ToOldRow[md5] { return .reuse(row: row, md5: md5) }
        }
        return .embed(md5: md5)
    }

    private func hashInParallel(_ paths: [String]) -> [String?] {
        let results = Mutex<[String?]>(Array(repeating: nil, count: paths.count))
        let chunk = 64
        let chunks = (paths.count + chunk - 1) / chunk
        DispatchQueue.concurrentPerform(iterations: chunks) { part in
            let range = part * chunk..<min(paths.count, (part + 1) * chunk)
            let digests = range.map { try? MD5.hex(ofFile: paths[$0]) }
            results.withLock { all in for (offset, index) in range.enumerated() { all[index] = digests[offset] } }
        }
        return results.withLock { $0 }
    }

    private func assemble(_ decisions: [Decision], oldRows: [String: Int]) throws(CatalogError) -> Result {
        // Embed each distinct content once.
        var jobIndexByMD5: [String: Int] = [:]
        var jobPaths: [String] = []
        for (index, decision) in decisions.enumerated() {
            guard case .embed(let md5) = decision, jobIndexByMD5[md5] == nil else { continue }
            jobIndexByMD5[md5] = jobPaths.count
            jobPaths.append(scan.rootPath + "/" + scan.files[index].relativePath)
        }
        let embedded = jobPaths.isEmpty ? (vectors: [], outcomes: []) : embed(jobPaths)
        let now = Timestamp.string(Date())

        var products: [IndexedProduct] = []
        var vectors: [Float] = []
        var records: [String: FileRecord] = [:]
        var counts = (new: 0, modified: 0, removed: 0, failed: 0, unchanged: 0)
        products.reserveCapacity(scan.files.count)
        vectors.reserveCapacity(scan.files.count * dimension)
        try old.store.allVectors().withUnsafeBufferPointer { oldVectors in
            embedded.vectors.withUnsafeBufferPointer { newVectors in
                for (index, decision) in decisions.enumerated() {
                    let file = scan.files[index]
                    func add(_ product: IndexedProduct, _ source: UnsafeBufferPointer<Float>, row: Int) {
                        products.append(product)
                        vectors.append(contentsOf: UnsafeBufferPointer(rebasing: source[row * dimension..<(row + 1) * dimension]))
                        records[file.relativePath] = FileRecord(relativePath: file.relativePath, id: file.id, md5: product.md5,
                                                                stamp: file.stamp, status: .indexed, error: nil)
                    }
                    let wasIndexedWithOtherContent = { (md5: String) in
                        oldRows[file.relativePath].map { self.old.products[$0].md5 != md5 } ?? false
                    }
                    switch decision {
                    case .keep(let row):
                        var product = old.products[row]
                        product.id = file.id
                        add(product, oldVectors, row: row)
                        counts.unchanged += 1
                    case .keepFailed(var record):
                        record.stamp = file.stamp
                        record.id = file.id
                        records[file.relativePath] = record
                        counts.failed += 1
                    case .reuse(let row, let md5):
                        let source = old.products[row]
                        add(IndexedProduct(id: file.id, relativePath: file.relativePath, md5: md5, width: source.width,
                                           height: source.height, indexedAt: source.indexedAt), oldVectors, row: row)
                        counts.new += 1
                        if wasIndexedWithOtherContent(md5) { counts.modified += 1 }
                    case .embed(let md5):
                        let job = jobIndexByMD5[md5]!
                        let outcome = embedded.outcomes[job]
                        if let error = outcome.error {
                            records[file.relativePath] = FileRecord(relativePath: file.relativePath, id: file.id, md5: md5,
                                                                    stamp: file.stamp, status: .failed, error: error)
                            counts.failed += 1
                        } else {
                            add(IndexedProduct(id: file.id, relativePath: file.relativePath, md5: md5, width: outcome.width,
                                               height: outcome.height, indexedAt: now), newVectors, row: job)
                            counts.new += 1
                            if wasIndexedWithOtherContent(md5) { counts.modified += 1 }
                        }
                    case .vanished:
                        continue
                    }
                }
            }
        }
        let onDisk = Set(products.map(\.relativePath))
        counts.removed = old.products.filter { !onDisk.contains($0.relativePath) }.count
        let productsChanged = forceFull || products.count != old.products.count
            || zip(products, old.products).contains { $0.id != $1.id || $0.relativePath != $1.relativePath || $0.md5 != $1.md5 }
        let state = CatalogState(store: old.store, products: products, records: records,
                                 lastUpdate: old.lastUpdate, diskStamps: old.diskStamps)
        return Result(state: state, summary: counts, productsChanged: productsChanged,
                      recordsChanged: productsChanged || records != old.records,
                      ).withVectors(vectors, dimension: dimension, rootPath: scan.rootPath)
    }
}

extension IndexRun.Result {
    /// Replaces the state's store by one over the assembled rows (only when the products changed).
    fileprivate func withVectors(_ vectors: [Float], dimension: Int, rootPath: String) -> IndexRun.Result {
        guard productsChanged else { return self }
        var copy = self
        let products = state.products
        copy.state.store = FeatureStore(uncheckedIds: products.map(\.id),
                                        paths: products.map { rootPath + "/" + $0.relativePath },
                                        vectors: vectors, dimension: dimension,
                                        compactIndex: products.count >= FeatureStore.compactThreshold)
        return copy
    }
}
