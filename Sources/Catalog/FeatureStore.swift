import Dispatch
import Synchronization

/// An immutable snapshot of the catalog's feature vectors, answering top-k queries.
///
/// Rows are float32 (N x D). Scores are dot products, i.e. cosine similarity for the unit vectors the
/// model produces. Small catalogs are scored with one BLAS matrix-vector product; large ones (see
/// `CompactIndex`) first bound every score from a compact copy and re-score in float32 only the rows
/// that could still enter the top k, which gives the same result as the full product. The compact
/// copy is built in the background on first use (queries meanwhile take the plain product), so
/// loading or swapping in a large catalog never waits for it.
///
/// A small catalog whose rows are in the feature file can keep only half-precision copies in memory
/// (`backed(by:)`, half the memory): they bound every score, and the few rows that could still make
/// the top k are read from the file and scored in float32, again giving the full product's answer.
public final class FeatureStore: Sendable {
    /// A store with no products.
    public static let empty = FeatureStore(uncheckedIds: [], paths: [], vectors: [], dimension: 0)

    /// Product ids, one per row.
    public let ids: [String]
    /// Image paths, one per row.
    public let paths: [String]
    let filenames: [String]
    private let storage: RowStorage
    public let dimension: Int
    private let compactSlot: CompactSlot?

    /// Where the float32 rows are.
    private enum RowStorage: Sendable {
        /// All rows in memory, row after row.
        case memory([Float])
        /// Half-precision copies in memory; the float32 rows read from the feature file when needed.
        case file(HalfPrecisionRows, RowFile)
    }

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
        storage = .memory(vectors)
        self.dimension = dimension
        self.compactSlot = compactIndex && !ids.isEmpty && VectorMath.blasAvailable ? CompactSlot() : nil
    }

    private init(_ store: FeatureStore, storage: RowStorage) {
        ids = store.ids
        paths = store.paths
        filenames = store.filenames
        dimension = store.dimension
        compactSlot = nil
        self.storage = storage
    }

    /// This store keeping only half-precision copies of its rows in memory and reading the float32
    /// rows from the `features` dataset of the HDF5 file at `path` when a search needs them (the
    /// catalog's feature file, which holds exactly these rows). Returns `self` when that cannot be
    /// done: a store with a compact index, another layout in the file, or rows that are not these.
    public func backedByFeatureFile(_ path: String) -> FeatureStore {
        guard case .memory(let vectors) = storage, compactSlot == nil, count > 0,
              let offset = try? FeatureFile.featuresOffset(path),
              let file = try? RowFile(path: path, offset: offset, rows: count, dimension: dimension) else { return self }
        let last = count - 1
        guard vector(fromFile: file, row: 0) == Array(vectors[0..<dimension]),
              vector(fromFile: file, row: last) == Array(vectors[(last * dimension)..<(count * dimension)]) else { return self }
        let halves = vectors.withUnsafeBufferPointer { HalfPrecisionRows($0, rows: count, dimension: dimension) }
        return FeatureStore(self, storage: .file(halves, file))
    }

    private func vector(fromFile file: RowFile, row: Int) -> [Float]? {
        var values = [Float](repeating: 0, count: dimension)
        let ok = values.withUnsafeMutableBufferPointer { file.read(row..<(row + 1), into: $0.baseAddress!) }
        return ok ? values : nil
    }

    /// Every float32 row, row after row (read from the feature file when the store keeps them there).
    func allVectors() throws(CatalogError) -> [Float] {
        switch storage {
        case .memory(let vectors):
            return vectors
        case .file(_, let file):
            guard let vectors = file.readAll() else {
                throw CatalogError.io(path: file.path, reason: "its feature rows could not be read")
            }
            return vectors
        }
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
            guard compactSlot.index.withLock({ $0 }) == nil, case .memory(let vectors) = storage else { return }
            let built = CompactIndex(vectors: vectors, rows: ids.count, dimension: dimension)
            compactSlot.index.withLock { $0 = built }
        }
    }

    /// Number of products.
    public var count: Int { ids.count }

    /// Approximate bytes held: the rows in memory, the compact index and the strings.
    public var memoryBytes: Int {
        let strings = ids.reduce(0) { $0 + $1.utf8.count } + paths.reduce(0) { $0 + $1.utf8.count } * 2
        let compactBytes = compactSlot?.index.withLock { $0?.memoryBytes } ?? 0
        let rowBytes: Int
        switch storage {
        case .memory(let vectors): rowBytes = vectors.count * MemoryLayout<Float>.size
        case .file(let halves, _): rowBytes = halves.memoryBytes
        }
        return rowBytes + compactBytes + strings + count * 48
    }

    /// Whether the float32 rows are read from the feature file rather than kept in memory.
    public var readsRowsFromFile: Bool {
        if case .file = storage { return true }
        return false
    }

    /// Whether a compact first-pass index is built and answers searches.
    public var hasCompactIndex: Bool { compactSlot?.index.withLock { $0 != nil } ?? false }

    /// The row of a product, for tests and tools (zeros if the feature file cannot be read).
    public func vector(at row: Int) -> [Float] {
        switch storage {
        case .memory(let vectors):
            return Array(vectors[row * dimension..<(row + 1) * dimension])
        case .file(_, let file):
            return vector(fromFile: file, row: row) ?? [Float](repeating: 0, count: dimension)
        }
    }

    /// The `topK` products scoring at least `threshold` (inclusive), best first; equal scores are
    /// ordered by id. A query of the wrong length, or `topK <= 0`, matches nothing.
    public func search(_ query: [Float], topK: Int, threshold: Float) -> [Match] {
        guard topK > 0, count > 0, query.count == dimension else { return [] }
        let best: [(score: Float, row: Int)]
        switch storage {
        case .file(let halves, let file):
            best = screenedSearch(query, halves: halves, file: file, topK: topK, threshold: threshold)
        case .memory(let vectors):
            if let compact {
                best = query.withUnsafeBufferPointer { q in
                    vectors.withUnsafeBufferPointer { rows in
                        compact.search(query: q.baseAddress!, rows: rows.baseAddress!, topK: topK, threshold: threshold, ids: ids)
                    }
                }
            } else {
                best = exactSearch(query, vectors: vectors, topK: topK, threshold: threshold)
            }
        }
        return best.map { Match(id: ids[$0.row], path: paths[$0.row], filename: filenames[$0.row], score: $0.score) }
    }

    /// Bounds every score from the half-precision rows; the rows whose bound reaches the k-th best
    /// lower bound (and the threshold) are read and scored in float32, best bound first, until no
    /// remaining row can enter. A row that cannot be read keeps its half-precision score.
    private func screenedSearch(_ query: [Float], halves: HalfPrecisionRows, file: RowFile,
                                topK: Int, threshold: Float) -> [(score: Float, row: Int)] {
        let (scores, slacks) = query.withUnsafeBufferPointer { halves.scores($0.baseAddress!) }
        var floor = RowHeap(capacity: topK)
        var upper = [Float](repeating: 0, count: count)
        for row in 0..<count {
            floor.offer(scores[row] - slacks[row], row: Int32(row))
            upper[row] = scores[row] + slacks[row]
        }
        let cut = max(threshold, floor.isFull ? floor.minimum : -Float.infinity)
        var candidates: [Int] = []
        for row in 0..<count where upper[row] >= cut { candidates.append(row) }
        candidates.sort { upper[$0] > upper[$1] }
        var top = TopK(capacity: topK, ids: ids)
        var exact = [Float](repeating: 0, count: dimension)
        for candidate in candidates {
            if top.isFull && upper[candidate] < top.admissionScore { break }
            let score: Float = exact.withUnsafeMutableBufferPointer { buffer in
                guard file.read(candidate..<(candidate + 1), into: buffer.baseAddress!) else { return scores[candidate] }
                return query.withUnsafeBufferPointer { VectorMath.dot(buffer.baseAddress!, $0.baseAddress!, count: dimension) }
            }
            if score >= threshold { top.offer(score: score, row: candidate) }
        }
        return top.sorted()
    }

    /// Scores every row with one matrix-vector product, then keeps the best k.
    private func exactSearch(_ query: [Float], vectors: [Float], topK: Int, threshold: Float) -> [(score: Float, row: Int)] {
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
        guard topK > 0, count > 0, query.count == dimension, let vectors = try? allVectors() else { return [] }
        return exactSearch(query, vectors: vectors, topK: topK, threshold: threshold)
            .map { Match(id: ids[$0.row], path: paths[$0.row], filename: filenames[$0.row], score: $0.score) }
    }
}

/// Where a store's compact index lands once built.
private final class CompactSlot: Sendable {
    let index = Mutex<CompactIndex?>(nil)
    let started = Atomic<Bool>(false)
    let building = Mutex<Void>(())
}
