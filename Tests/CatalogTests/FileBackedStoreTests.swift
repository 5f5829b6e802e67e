import Catalog
import Foundation
import HDF5
import TestSupport
import Testing

/// A store that keeps half-precision rows in memory and reads float32 rows from the feature file.
@Suite("FeatureStore reading rows from the feature file")
struct FileBackedStoreTests {
    /// Clustered unit rows with families of near-duplicates and exact copies (ties) mixed in.
    static func rows(count: Int, dimension: Int, seed: UInt64) -> [Float] {
        var rows = makeRows(count: count, dimension: dimension, clustered: true, seed: seed)
        var random = SeededRandom(seed + 100)
        for row in stride(from: 10, to: count, by: 10) {
            let source = row - 1 - (row / 10) % 3
            for j in 0..<dimension {
                // Every 30th row is an exact copy of an earlier one; the others differ by ~1e-4.
                let noise = row % 30 == 0 ? 0 : 2e-4 * (random.next() - 0.5)
                rows[row * dimension + j] = rows[source * dimension + j] + noise
            }
        }
        return rows
    }

    /// A scratch folder for feature files, removed by `remove()`.
    struct Scratch {
        let folder: URL
        init(_ label: String) throws { folder = try TestPaths.makeTemporaryDirectory(label) }
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        func remove() { try? FileManager.default.removeItem(at: folder) }

        /// Writes `rows` as the `features` dataset of a new HDF5 file `name`; returns its path.
        @discardableResult
        func writeFeatures(_ rows: [Float], dimension: Int, as name: String = "features.h5") throws -> String {
            let file = try HDF5File.create(path(name))
            try file.root.writeFloats("features", shape: [rows.count / dimension, dimension], values: rows)
            try file.close()
            return path(name)
        }
    }

    static func ids(_ count: Int) -> [String] { (0..<count).map { String(format: "p%05d", $0) } }

    /// Row `row` of `rows`, moved by up to ±noise/2 per value, as a unit vector.
    static func query(near row: Int, of rows: [Float], dimension: Int, noise: Float, _ random: inout SeededRandom) -> [Float] {
        let query = (0..<dimension).map { rows[row * dimension + $0] + noise * (random.next() - 0.5) }
        let length = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return query.map { $0 / length }
    }

    @Test("searches give the float32 scan's answers, ties and inclusive thresholds included")
    func matchesTheScan() throws {
        let scratch = try Scratch("file-backed-store")
        defer { scratch.remove() }
        let count = 3_000, dimension = 256
        let rows = Self.rows(count: count, dimension: dimension, seed: 21)
        let path = try scratch.writeFeatures(rows, dimension: dimension)
        let ids = Self.ids(count)
        let inMemory = try FeatureStore(ids: ids, paths: ids, vectors: rows, dimension: dimension)
        let store = inMemory.backedByFeatureFile(path)
        #expect(store.readsRowsFromFile && !inMemory.readsRowsFromFile)
        #expect(store.memoryBytes < inMemory.memoryBytes * 6 / 10)
        #expect(store.vector(at: 1234) == inMemory.vector(at: 1234))

        var random = SeededRandom(5)
        for trial in 0..<60 {
            let row = Int(random.next() * Float(count))
            let query = Self.query(near: row, of: rows, dimension: dimension, noise: trial % 3 == 0 ? 0 : 0.02, &random)
            for (topK, threshold) in [(10, Float(-1)), (1, 0), (5, 0.9), (100, 0.5)] {
                expectSearchMatchesScan(store, query, topK: topK, threshold: threshold, swapTolerance: 1e-6)
            }
            // A threshold equal to the best score keeps that match (inclusive).
            let best = try #require(store.search(query, topK: 1, threshold: -1).first)
            #expect(store.search(query, topK: 3, threshold: best.score).first?.id == best.id)
        }
        // Exact copies tie: both come back, ordered by id.
        let copy = 30, source = 30 - 1 - 3 % 3
        let tied = store.search(store.vector(at: copy), topK: 2, threshold: -1)
        #expect(tied.map(\.id) == [ids[source], ids[copy]].sorted())
    }

    @Test("a large catalog lets go of its float32 rows once its compact index is built", arguments: [false, true])
    func compactIndexOverTheFile(builtBeforeBacking: Bool) throws {
        let scratch = try Scratch("file-backed-compact")
        defer { scratch.remove() }
        let count = 6_000, dimension = 128
        let rows = Self.rows(count: count, dimension: dimension, seed: 31)
        let path = try scratch.writeFeatures(rows, dimension: dimension)
        let ids = Self.ids(count)
        let inMemory = try FeatureStore(ids: ids, paths: ids, vectors: rows, dimension: dimension, compactIndex: true)
        if builtBeforeBacking { inMemory.prepareForSearch() }
        let store = inMemory.backedByFeatureFile(path)
        // Until its index is built the store answers from the rows in memory.
        #expect(store.readsRowsFromFile == builtBeforeBacking && store.hasCompactIndex == builtBeforeBacking)
        let probe = Array(rows[(75 * dimension)..<(76 * dimension)])  // a row no other copies
        #expect(store.search(probe, topK: 1, threshold: 0).first?.id == ids[75])
        store.prepareForSearch()
        #expect(store.readsRowsFromFile && store.hasCompactIndex)
        #expect(store.memoryBytes < count * dimension * 4)  // less than the float32 rows alone
        #expect(store.vector(at: 75) == probe)

        var random = SeededRandom(8)
        for trial in 0..<30 {
            let row = Int(random.next() * Float(count))
            let query = Self.query(near: row, of: rows, dimension: dimension, noise: trial % 2 == 0 ? 0 : 0.05, &random)
            for (topK, threshold) in [(10, Float(-1)), (1, 0), (25, 0.5)] {
                expectSearchMatchesScan(store, query, topK: topK, threshold: threshold, swapTolerance: 1e-6)
            }
        }
    }

    @Test("the store keeps reading its own rows after the file is replaced")
    func survivesReplacement() throws {
        let scratch = try Scratch("file-backed-replaced")
        defer { scratch.remove() }
        let count = 200, dimension = 64
        let first = Self.rows(count: count, dimension: dimension, seed: 1)
        let path = try scratch.writeFeatures(first, dimension: dimension)
        let replacement = try scratch.writeFeatures(Self.rows(count: count, dimension: dimension, seed: 2),
                                                    dimension: dimension, as: "replacement.h5")
        let ids = Self.ids(count)
        let store = try FeatureStore(ids: ids, paths: ids, vectors: first, dimension: dimension).backedByFeatureFile(path)
        try #require(store.readsRowsFromFile)
        #expect(rename(replacement, path) == 0)
        let query = Array(first[(7 * dimension)..<(8 * dimension)])
        #expect(store.vector(at: 7) == query)
        #expect(store.search(query, topK: 1, threshold: 0).first?.id == ids[7])
    }

    @Test("a file holding other rows, or no such file, is not used")
    func refusesOtherRows() throws {
        let scratch = try Scratch("file-backed-other")
        defer { scratch.remove() }
        let count = 50, dimension = 32
        let rows = Self.rows(count: count, dimension: dimension, seed: 3)
        let path = try scratch.writeFeatures(Self.rows(count: count, dimension: dimension, seed: 4), dimension: dimension)
        let ids = Self.ids(count)
        let store = try FeatureStore(ids: ids, paths: ids, vectors: rows, dimension: dimension)
        #expect(!store.backedByFeatureFile(path).readsRowsFromFile)
        #expect(!store.backedByFeatureFile(scratch.path("missing.h5")).readsRowsFromFile)
        let shorter = try FeatureStore(ids: Array(ids.prefix(10)), paths: Array(ids.prefix(10)),
                                       vectors: Array(rows.prefix(10 * dimension)), dimension: dimension)
        #expect(!shorter.backedByFeatureFile(path).readsRowsFromFile)
    }
}
