import Dispatch
import Synchronization

/// An immutable snapshot of the catalog's feature vectors, answering top-k queries.
///
/// Rows are float32 (N x D). Scores are dot products, i.e. cosine similarity for the unit vectors the
/// model produces, and every search gives the answer of the full float32 product. Where the rows live:
/// - in memory, scored with one BLAS matrix-vector product (a store built from vectors);
/// - read from the feature file (`backedByFeatureFile`), as the catalog's stores are: a small catalog
///   keeps half-precision copies that bound every score, and only the few rows that could still make
///   the top k are read and scored in float32;
/// - a large catalog (`compactThreshold`) uses a `CompactIndex` instead, built in the background on
///   first use (queries meanwhile take the plain product over the rows in memory); once it is built,
///   a store backed by the feature file drops its float32 rows and reads the few it re-scores.
public final class FeatureStore: Sendable {
    /// A store with no products.
    public static let empty = FeatureStore(uncheckedIds: [], paths: [], vectors: [], dimension: 0)

    /// Catalogs at least this large get a compact first-pass index.
    public static let compactThreshold = 50_000

    /// Product ids, one per row.
    public let ids: [String]
    /// Image paths, one per row.
    public let paths: [String]
    let filenames: [String]
    public let dimension: Int
    private let storage: RowStorage

    /// Where the float32 rows are.
    private enum RowStorage: Sendable {
        /// All rows in memory, row after row.
        case memory([Float])
        /// Half-precision copies in memory; the float32 rows read from the feature file when needed.
        case screened(HalfPrecisionRows, RowFile)
        /// A compact index (once built) over rows in memory or, once it is built, in the feature file.
        case compact(CompactRows)
    }

    /// Builds a store; `vectors` holds `ids.count` rows of `dimension` floats, row after row.
    /// `compactIndex` overrides the size rule (nil: decide by `compactThreshold`).
    public convenience init(ids: [String], paths: [String], vectors: [Float], dimension: Int,
                            compactIndex: Bool? = nil) throws {
        guard ids.count == paths.count, dimension > 0 || ids.isEmpty, vectors.count == ids.count * dimension else {
            throw CatalogError.corruptIndex(path: "(memory)", reason:
                "\(ids.count) ids, \(paths.count) paths and \(vectors.count) floats do not form rows of \(dimension)")
        }
        self.init(uncheckedIds: ids, paths: paths, vectors: vectors, dimension: dimension,
                  compactIndex: compactIndex ?? (ids.count >= Self.compactThreshold))
    }

    init(uncheckedIds ids: [String], paths: [String], vectors: [Float], dimension: Int, compactIndex: Bool = false) {
        self.ids = ids
        self.paths = paths
        self.filenames = paths.map { path in path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path }
        self.dimension = dimension
        let compact = compactIndex && !ids.isEmpty && VectorMath.blasAvailable
        storage = compact ? .compact(CompactRows(vectors: vectors, file: nil, index: nil)) : .memory(vectors)
    }

    private init(_ store: FeatureStore, storage: RowStorage) {
        ids = store.ids
        paths = store.paths
        filenames = store.filenames
        dimension = store.dimension
        self.storage = storage
    }

    /// This store reading its float32 rows from the `features` dataset of the HDF5 file at `path` when
    /// a search needs them (the catalog's feature file, which holds exactly these rows), keeping only
    /// half-precision copies, or a built compact index, in memory. Returns `self` when that cannot be
    /// done: another layout in the file, rows that are not these, or rows already read from a file.
    public func backedByFeatureFile(_ path: String) -> FeatureStore {
        guard count > 0, let offset = try? FeatureFile.featuresOffset(path),
              let file = try? RowFile(path: path, offset: offset, rows: count, dimension: dimension) else { return self }
        switch storage {
        case .memory(let vectors):
            guard holds(vectors, as: file) else { return self }
            let halves = vectors.withUnsafeBufferPointer { HalfPrecisionRows($0, rows: count, dimension: dimension) }
            return FeatureStore(self, storage: .screened(halves, file))
        case .compact(let rows):
            guard rows.file == nil, let vectors = rows.vectors.withLock({ $0 }), holds(vectors, as: file) else { return self }
            let index = rows.index.withLock { $0 }
            return FeatureStore(self, storage: .compact(CompactRows(vectors: index == nil ? vectors : nil, file: file, index: index)))
        case .screened:
            return self
        }
    }

    /// Whether `file`'s first and last rows are those of `vectors`.
    private func holds(_ vectors: [Float], as file: RowFile) -> Bool {
        let last = count - 1
        return file.row(0) == Array(vectors[0..<dimension])
            && file.row(last) == Array(vectors[(last * dimension)..<(count * dimension)])
    }

    /// Every float32 row, row after row (read from the feature file when the store keeps them there).
    func allVectors() throws(CatalogError) -> [Float] {
        let file: RowFile
        switch storage {
        case .memory(let vectors):
            return vectors
        case .screened(_, let rowFile):
            file = rowFile
        case .compact(let rows):
            if let vectors = rows.vectors.withLock({ $0 }) { return vectors }
            guard let rowFile = rows.file else { return [] }
            file = rowFile
        }
        guard let vectors = file.readAll() else {
            throw CatalogError.io(path: file.path, reason: "its feature rows could not be read")
        }
        return vectors
    }

    /// Builds the compact first-pass index now (if this store uses one) and waits for it.
    public func prepareForSearch() {
        guard case .compact(let rows) = storage else { return }
        rows.build(rows: count, dimension: dimension)
    }

    /// Number of products.
    public var count: Int { ids.count }

    /// Approximate bytes held: the rows in memory, the compact index and the strings.
    public var memoryBytes: Int {
        let strings = ids.reduce(0) { $0 + $1.utf8.count } + paths.reduce(0) { $0 + $1.utf8.count } * 2
        let rowBytes: Int
        switch storage {
        case .memory(let vectors):
            rowBytes = vectors.count * MemoryLayout<Float>.size
        case .screened(let halves, _):
            rowBytes = halves.memoryBytes
        case .compact(let rows):
            rowBytes = (rows.vectors.withLock { $0?.count } ?? 0) * MemoryLayout<Float>.size
                + (rows.index.withLock { $0?.memoryBytes } ?? 0)
        }
        return rowBytes + strings + count * 48
    }

    /// Whether the float32 rows are read from the feature file rather than kept in memory.
    public var readsRowsFromFile: Bool {
        switch storage {
        case .memory: return false
        case .screened: return true
        case .compact(let rows): return rows.vectors.withLock { $0 == nil } && rows.file != nil
        }
    }

    /// Whether a compact first-pass index is built and answers searches.
    public var hasCompactIndex: Bool {
        guard case .compact(let rows) = storage else { return false }
        return rows.index.withLock { $0 != nil }
    }

    /// The row of a product, for tests and tools (zeros if the feature file cannot be read).
    public func vector(at row: Int) -> [Float] {
        let file: RowFile?
        switch storage {
        case .memory(let vectors):
            return Array(vectors[row * dimension..<(row + 1) * dimension])
        case .screened(_, let rowFile):
            file = rowFile
        case .compact(let rows):
            if let vectors = rows.vectors.withLock({ $0 }) { return Array(vectors[row * dimension..<(row + 1) * dimension]) }
            file = rows.file
        }
        return file?.row(row) ?? [Float](repeating: 0, count: dimension)
    }

    /// The `topK` products scoring at least `threshold` (inclusive), best first; equal scores are
    /// ordered by id. A query of the wrong length, or `topK <= 0`, matches nothing.
    public func search(_ query: [Float], topK: Int, threshold: Float) -> [Match] {
        guard topK > 0, count > 0, query.count == dimension else { return [] }
        let best: [(score: Float, row: Int)]
        switch storage {
        case .memory(let vectors):
            best = exactSearch(query, vectors: vectors, topK: topK, threshold: threshold)
        case .screened(let halves, let file):
            best = screenedSearch(query, halves: halves, file: file, topK: topK, threshold: threshold)
        case .compact(let rows):
            best = compactSearch(query, rows: rows, topK: topK, threshold: threshold)
        }
        return best.map { Match(id: ids[$0.row], path: paths[$0.row], filename: filenames[$0.row], score: $0.score) }
    }

    /// The result of a plain full float32 scan, whatever the store's layout (for tests and benchmarks).
    public func exhaustiveSearch(_ query: [Float], topK: Int, threshold: Float) -> [Match] {
        guard topK > 0, count > 0, query.count == dimension, let vectors = try? allVectors() else { return [] }
        return exactSearch(query, vectors: vectors, topK: topK, threshold: threshold)
            .map { Match(id: ids[$0.row], path: paths[$0.row], filename: filenames[$0.row], score: $0.score) }
    }

    /// With the compact index once built (over the rows in memory or in the file), else the plain
    /// product over the rows in memory while the index is built in the background.
    private func compactSearch(_ query: [Float], rows: CompactRows, topK: Int, threshold: Float) -> [(score: Float, row: Int)] {
        // The rows are let go only after the index is in place: read them first, then the index.
        let vectors = rows.vectors.withLock { $0 }
        if let index = rows.index.withLock({ $0 }) {
            return query.withUnsafeBufferPointer { q in
                let query = q.baseAddress!
                if let vectors {
                    return vectors.withUnsafeBufferPointer { all in
                        index.search(query: query, topK: topK, threshold: threshold, ids: ids) { row in
                            VectorMath.dot(all.baseAddress! + row * dimension, query, count: dimension)
                        }
                    }
                }
                // A row the file cannot give back (an I/O error) scores -infinity: it is left out.
                return index.search(query: query, topK: topK, threshold: threshold, ids: ids) { row in
                    rows.file?.score(row, query: query) ?? -.infinity
                }
            }
        }
        if rows.started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            DispatchQueue.global(qos: .utility).async { self.prepareForSearch() }
        }
        return exactSearch(query, vectors: vectors ?? [], topK: topK, threshold: threshold)
    }
}

/// A large catalog's rows and its compact index: the float32 rows stay in memory until the index is
/// built, then, when the feature file holds them, only there.
private final class CompactRows: Sendable {
    let vectors: Mutex<[Float]?>
    let file: RowFile?
    let index: Mutex<CompactIndex?>
    let started = Atomic<Bool>(false)
    private let building = Mutex<Void>(())

    init(vectors: [Float]?, file: RowFile?, index: CompactIndex?) {
        self.vectors = Mutex(vectors)
        self.file = file
        self.index = Mutex(index)
    }

    /// Builds the index once (later callers wait for it), then lets go of the rows in memory when
    /// the file has them.
    func build(rows: Int, dimension: Int) {
        building.withLock { _ in
            guard index.withLock({ $0 }) == nil, let vectors = vectors.withLock({ $0 }) else { return }
            let built = CompactIndex(vectors: vectors, rows: rows, dimension: dimension)
            index.withLock { $0 = built }
            if file != nil { self.vectors.withLock { $0 = nil } }
        }
    }
}
