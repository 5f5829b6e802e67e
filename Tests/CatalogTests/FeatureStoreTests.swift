import Catalog
import Testing

/// Deterministic pseudo-random numbers for test data.
struct SeededRandom {
    private var state: UInt64
    init(_ seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 24)
    }
}

/// Unit rows: clustered, non-negative (like pooled ReLU features), or plain random signs.
func makeRows(count: Int, dimension: Int, clustered: Bool, seed: UInt64) -> [Float] {
    var random = SeededRandom(seed)
    let centres = (0..<16).map { _ in (0..<dimension).map { _ in random.next() } }
    var rows: [Float] = []
    for row in 0..<count {
        var vector = (0..<dimension).map { j in
            clustered ? max(0, centres[row % 16][j] + 0.6 * (random.next() - 0.5)) : random.next() - 0.5
        }
        let length = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for j in vector.indices { vector[j] /= length }
        rows += vector
    }
    return rows
}

/// The answer by definition: every dot product, sorted by score then id.
func bruteForce(_ rows: [Float], ids: [String], dimension: Int, query: [Float], topK: Int, threshold: Float) -> [(String, Float)] {
    let scored = ids.indices.map { row in
        (ids[row], (0..<dimension).reduce(Float(0)) { $0 + rows[row * dimension + $1] * query[$1] })
    }
    return Array(scored.filter { $0.1 >= threshold }
        .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        .prefix(topK))
}

@Suite("FeatureStore")
struct FeatureStoreTests {
    @Test("search equals the definition: top k by score, then id; threshold inclusive")
    func matchesBruteForce() throws {
        let dimension = 64, count = 500
        let rows = makeRows(count: count, dimension: dimension, clustered: true, seed: 1)
        let ids = (0..<count).map { "id\($0)" }
        let store = try FeatureStore(ids: ids, paths: ids.map { "/images/\($0).jpg" }, vectors: rows, dimension: dimension)
        var random = SeededRandom(7)
        for _ in 0..<20 {
            let query = Array(rows[(Int(random.next() * Float(count)) * dimension)...].prefix(dimension))
            for threshold: Float in [0, 0.8, 0.95] {
                let expected = bruteForce(rows, ids: ids, dimension: dimension, query: query, topK: 7, threshold: threshold)
                let found = store.search(query, topK: 7, threshold: threshold)
                #expect(found.map(\.id) == expected.map(\.0))
                for (match, reference) in zip(found, expected) { #expect(abs(match.score - reference.1) < 1e-5) }
            }
        }
        let first = try #require(store.search(Array(rows[0..<dimension]), topK: 1, threshold: 0).first)
        #expect(first.id == "id0" && first.filename == "id0.jpg" && first.path == "/images/id0.jpg")
    }

    @Test("equal scores come out ordered by id, and a threshold equal to the score matches")
    func tiesAndInclusiveThreshold() throws {
        let vector: [Float] = [0.6, 0.8, 0]
        let other: [Float] = [0, 0, 1]
        let store = try FeatureStore(ids: ["c", "a", "d", "b"], paths: ["c", "a", "d", "b"],
                                     vectors: vector + vector + other + vector, dimension: 3)
        let matches = store.search(vector, topK: 10, threshold: 0.5)
        #expect(matches.map(\.id) == ["a", "b", "c"])
        let exact = matches[0].score
        #expect(store.search(vector, topK: 10, threshold: exact).count == 3)
        #expect(store.search(vector, topK: 10, threshold: exact.nextUp).isEmpty)
        #expect(store.search(vector, topK: 2, threshold: 0).map(\.id) == ["a", "b"])
    }

    @Test("degenerate requests match nothing instead of failing")
    func degenerate() throws {
        #expect(FeatureStore.empty.search([1, 0], topK: 5, threshold: 0).isEmpty)
        #expect(FeatureStore.empty.count == 0)
        let store = try FeatureStore(ids: ["x"], paths: ["x"], vectors: [1, 0], dimension: 2)
        #expect(store.search([1, 0, 0], topK: 5, threshold: 0).isEmpty)
        #expect(store.search([1, 0], topK: 0, threshold: 0).isEmpty)
        #expect(store.search([1, 0], topK: 100, threshold: 0).map(\.id) == ["x"])
        #expect(throws: CatalogError.self) { try FeatureStore(ids: ["x", "y"], paths: ["x", "y"], vectors: [1, 0], dimension: 2) }
    }

    @Test("the compact first pass gives exactly the float32 answer", arguments: [true, false])
    func compactIsExact(clustered: Bool) throws {
        let dimension = 128, count = 6_000
        let rows = makeRows(count: count, dimension: dimension, clustered: clustered, seed: clustered ? 3 : 4)
        let ids = (0..<count).map { String(format: "p%05d", $0) }
        let store = try FeatureStore(ids: ids, paths: ids, vectors: rows, dimension: dimension, compactIndex: true)
        #expect(!store.hasCompactIndex)
        store.prepareForSearch()
        #expect(store.hasCompactIndex)
        var random = SeededRandom(11)
        for trial in 0..<40 {
            var query: [Float]
            if trial % 2 == 0 {
                let row = Int(random.next() * Float(count))
                query = (0..<dimension).map { rows[row * dimension + $0] + 0.05 * (random.next() - 0.5) }
            } else {
                query = (0..<dimension).map { _ in random.next() - (clustered ? 0 : 0.5) }
            }
            let length = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
            query = query.map { $0 / length }
            for (topK, threshold) in [(10, Float(-1)), (1, 0), (25, 0.5)] {
                expectSearchMatchesScan(store, query, topK: topK, threshold: threshold, swapTolerance: 1e-5)
            }
        }
    }
}
