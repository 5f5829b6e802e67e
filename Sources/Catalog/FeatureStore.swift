import Dispatch
import Synchronization

/// An immutable in-memory snapshot of the catalog's feature vectors, answering top-k queries.
///
/// Rows are stored contiguously (N x D float32). Scores are dot products, i.e. cosine similarity for
/// the unit vectors the model produces. Small catalogs are scored with one BLAS matrix-vector product;
/// large ones (see `CompactIndex`) first bound every score from a compact copy and re-score in float32
/// only the rows that could still enter the top k, which gives the same result as the full product.
/// The compact copy is built in the background on first use (queries meanwhile take the plain
/// product), so loading or swapping in a large catalog never waits for it.
public final class FeatureStore: Sendable {
    /// A store with no products.
    public static let empty = FeatureStore(uncheckedIds: [], paths: [], vectors: [], dimension: 0)

    /// Product ids, one per row.
    public let ids: [String]
    /// Image paths, one per row.
    public let paths: [String]
    let filenames: [String]
    let vectors: [Float]
    public let dimension: Int
    private let compactSlot: CompactSlot?

    /// Catalogs at least this large get a compact first-pass index.
    public static let compactThreshold = 50_000

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
        self.vectors = vectors
        self.dimension = dimension
        self.compactSlot = compactIndex && !ids.isEmpty && VectorMath.blasAvailable ? CompactSlot() : nil
    }

    /// The compact index when built; otherwise starts building it (once, in the background).
    private var compact: CompactIndex? {
        guard let compactSlot else { return nil }
        if let ready = compactSlot.index.withLock({ $0 }) { return ready }
        if compactSlot.started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            DispatchQueue.global(qos: .utility).async { self.prepareForSearch() }
        }
        return nil
    }

    /// Builds the compact first-pass index now (if this store uses one) and waits for it.
    public func prepareForSearch() {
        guard let compactSlot else { return }
        compactSlot.building.withLock { _ in
            guard compactSlot.index.withLock({ $0 }) == nil else { return }
            let built = CompactIndex(vectors: vectors, rows: ids.count, dimension: dimension)
            compactSlot.index.withLock { $0 = built }
        }
    }

    /// Number of products.
    public var count: Int { ids.count }

    /// Approximate bytes held: the float32 rows, the compact index and the strings.
    public var memoryBytes: Int {
        let strings = ids.reduce(0) { $0 + $1.utf8.count } + paths.reduce(0) { $0 + $1.utf8.count } * 2
        let compactBytes = compactSlot?.index.withLock { $0?.memoryBytes } ?? 0
        return vectors.count * MemoryLayout<Float>.size + compactBytes + strings + count * 48
    }

    /// Whether a compact first-pass index is built and answers searches.
    public var hasCompactIndex: Bool { compactSlot?.index.withLock { $0 != nil } ?? false }

    /// The row of a product, for tests and tools.
    public func vector(at row: Int) -> [Float] {
        Array(vectors[row * dimension..<(row + 1) * dimension])
    }

    /// The `topK` products scoring at least `threshold` (inclusive), best first; equal scores are
    /// ordered by id. A query of the wrong length, or `topK <= 0`, matches nothing.
    public func search(_ query: [Float], topK: Int, threshold: Float) -> [Match] {
        guard topK > 0, count > 0, query.count == dimension else { return [] }
        let best: [(score: Float, row: Int)]
        if let compact {
            best = query.withUnsafeBufferPointer { q in
                vectors.withUnsafeBufferPointer { rows in
                    compact.search(query: q.baseAddress!, rows: rows.baseAddress!, topK: topK, threshold: threshold, ids: ids)
                }
            }
        } else {
            best = exactSearch(query, topK: topK, threshold: threshold)
        }
        return best.map { Match(id: ids[$0.row], path: paths[$0.row], filename: filenames[$0.row], score: $0.score) }
    }

    /// Scores every row with one matrix-vector product, then keeps the best k.
    func exactSearch(_ query: [Float], topK: Int, threshold: Float) -> [(score: Float, row: Int)] {
        var scores = [Float](repeating: 0, count: count)
        vectors.withUnsafeBufferPointer { rows in
            query.withUnsafeBufferPointer { q in
                scores.withUnsafeMutableBufferPointer { out in
                    VectorMath.matrixVector(rows.baseAddress!, rows: count, dimension: dimension, q.baseAddress!, into: out.baseAddress!)
                }
            }
        }
        var top = TopK(capacity: topK, ids: ids)
        for (row, score) in scores.enumerated() where score >= threshold && score >= top.admissionScore {
            top.offer(score: score, row: row)
        }
        return top.sorted()
    }

    /// The result of a plain full float32 scan, whatever the store's layout (for tests and benchmarks).
    public func exhaustiveSearch(_ query: [Float], topK: Int, threshold: Float) -> [Match] {
        guard topK > 0, count > 0, query.count == dimension else { return [] }
        return exactSearch(query, topK: topK, threshold: threshold)
            .map { Match(id: ids[$0.row], path: paths[$0.row], filename: filenames[$0.row], score: $0.score) }
    }
}

/// Where a store's compact index lands once built.
private final class CompactSlot: Sendable {
    let index = Mutex<CompactIndex?>(nil)
    let started = Atomic<Bool>(false)
    let building = Mutex<Void>(())
}
