import FoundationEssentials
import Glibc

/// Everything a catalog knows after a run: the searchable snapshot and the bookkeeping behind it.
/// Immutable once built; the catalog swaps whole states.
struct CatalogState: Sendable {
    var store: FeatureStore
    /// One per store row, same order.
    let products: [IndexedProduct]
    /// Store row by relative path.
    let rows: [String: Int]
    /// Per file, by path relative to the images folder.
    var records: [String: FileRecord]
    var lastUpdate: Date?
    /// The stamps of the feature and tracking files when this state was read or written, to notice
    /// another process updating them.
    var diskStamps: [FileStamp?]

    init(store: FeatureStore, products: [IndexedProduct], records: [String: FileRecord], lastUpdate: Date?,
         diskStamps: [FileStamp?]) {
        self.store = store
        self.products = products
        var rows: [String: Int] = [:]
        rows.reserveCapacity(products.count)
        for (row, product) in products.enumerated() { rows[product.relativePath] = row }
        self.rows = rows
        self.records = records
        self.lastUpdate = lastUpdate
        self.diskStamps = diskStamps
    }

    static let empty = CatalogState(store: .empty, products: [], records: [:], lastUpdate: nil, diskStamps: [])
}

/// `stat` of a path, nil when it does not exist.
func fileStamp(_ path: String) -> FileStamp? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return CatalogScanner.stamp(of: info)
}
