import Foundation

/// Everything a catalog knows after a run: the searchable snapshot and the bookkeeping behind it.
/// Immutable once built; the catalog swaps whole states.
struct CatalogState: Sendable {
    var store: FeatureStore
    /// One per store row, same order.
    var products: [IndexedProduct]
    /// Per file, by path relative to the images folder.
    var records: [String: FileRecord]
    var lastUpdate: Date?
    /// The stamps of the feature and tracking files when this state was read or written, to notice
    /// another process updating them.
    var diskStamps: [FileStamp?]

    static let empty = CatalogState(store: .empty, products: [], records: [:], lastUpdate: nil, diskStamps: [])

    func rowsByPath() -> [String: Int] {
        Dictionary(products.enumerated().map { ($1.relativePath, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// `stat` of a path, nil when it does not exist.
func fileStamp(_ path: String) -> FileStamp? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return CatalogScanner.stamp(of: info)
}
