import Catalog
import Testing

/// The compact index on a catalog large enough for its two-thread scan (over 65,536 rows), wider
/// than its 256 reduced dimensions (so every row has a tail), made of families of near-identical
/// rows and groups of exact copies, with ids in an order unrelated to the rows'.
@Suite("Compact index", .serialized)
struct CompactIndexTests {
    static let dimension = 320
    static let count = 70_000
    static let copies = 40          // rows 0..<40 are one vector, copied
    static let familySize = 8

    /// Id of a row: a permutation of the rows, so id order and row order differ.
    static func id(_ row: Int) -> String { "p" + String((row * 7_919) % count).leftPadded(to: 6) }

    static let rows: [Float] = {
        var random = SeededRandom(21)
        var rows = [Float](repeating: 0, count: count * dimension)
        var centre = [Float](repeating: 0, count: dimension)
        for row in 0..<count {
            if row % familySize == 0 || row == copies {
                centre = (0..<dimension).map { _ in max(0, random.next() - 0.3) }
            }
            // Rows below `copies` repeat the first centre exactly; family members differ a little.
            let spread: Float = row < copies ? 0 : 0.002
            var vector = centre.map { max(0, $0 + spread * (random.next() - 0.5)) }
            if row < copies && row > 0 { vector = Array(rows[0..<dimension]) } else {
                let length = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
                vector = vector.map { $0 / length }
            }
            rows.replaceSubrange(row * dimension..<(row + 1) * dimension, with: vector)
        }
        return rows
    }()

    static let store: FeatureStore = {
        let ids = (0..<count).map(id)
        let store = try! FeatureStore(ids: ids, paths: ids, vectors: rows, dimension: dimension, compactIndex: true)
        store.prepareForSearch()
        return store
    }()

    static func row(_ index: Int) -> [Float] { Array(rows[index * dimension..<(index + 1) * dimension]) }

    static func expectSameAsScan(_ query: [Float], topK: Int, threshold: Float) {
        expectSearchMatchesScan(store, query, topK: topK, threshold: threshold, swapTolerance: 1e-6)
    }

    @Test("exact copies tie: the k smallest ids of the copies, whatever rows they sit in")
    func copiesTie() throws {
        #expect(Self.store.hasCompactIndex)
        let expected = (0..<Self.copies).map(Self.id).sorted()
        for topK in [1, 10, Self.copies - 1, Self.copies] {
            let found = Self.store.search(Self.row(5), topK: topK, threshold: 0)
            #expect(found.map(\.id) == Array(expected.prefix(topK)))
            #expect(Set(found.map(\.score)).count == 1)
        }
        Self.expectSameAsScan(Self.row(5), topK: Self.copies + 12, threshold: 0)
    }

    @Test("a threshold equal to the tied score keeps all copies; just above it, none of them")
    func inclusiveThresholdOnTies() throws {
        let score = try #require(Self.store.search(Self.row(0), topK: 1, threshold: 0).first).score
        let atScore = Self.store.search(Self.row(0), topK: 100, threshold: score)
        #expect(atScore.count >= Self.copies && atScore.allSatisfy { $0.score >= score })
        Self.expectSameAsScan(Self.row(0), topK: 100, threshold: score)
        let above = Self.store.search(Self.row(0), topK: 100, threshold: score.nextUp)
        #expect(above.allSatisfy { $0.score > score })
        #expect(Self.store.search(Self.row(0), topK: 10, threshold: 1.01).isEmpty)
    }

    @Test("near-duplicate queries of family members, and unrelated ones, give the scan's answer")
    func familiesMatchScan() {
        var random = SeededRandom(5)
        for trial in 0..<24 {
            let source = Self.copies + Int(random.next() * Float(Self.count - Self.copies - 1))
            var query = trial % 3 == 2
                ? (0..<Self.dimension).map { _ in random.next() }
                : Self.row(source).map { max(0, $0 + (trial % 3 == 0 ? 0.001 : 0.02) * (random.next() - 0.5)) }
            let length = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
            query = query.map { $0 / length }
            for (topK, threshold) in [(10, Float(0)), (3, 0.99), (Self.familySize, -1), (50, 0.5)] {
                Self.expectSameAsScan(query, topK: topK, threshold: threshold)
            }
        }
    }

    @Test("more results asked for than rows qualify: every qualifying row, in order")
    func topKBeyondQualifyingRows() {
        let query = Self.row(Self.copies + 3)
        Self.expectSameAsScan(query, topK: Self.count + 5, threshold: 0.995)
        let all = Self.store.search(query, topK: Self.count + 5, threshold: 0.995)
        #expect(all.count >= Self.familySize - 1)
        #expect(all.allSatisfy { $0.score >= 0.995 })
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
