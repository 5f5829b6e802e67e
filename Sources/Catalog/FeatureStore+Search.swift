/// The two searches over all rows: the plain float32 product, and the half-precision screen.
extension FeatureStore {
    /// Scores every row with one matrix-vector product, then keeps the best k.
    func exactSearch(_ query: [Float], vectors: [Float], topK: Int, threshold: Float) -> [(score: Float, row: Int)] {
        guard vectors.count == count * dimension else { return [] }
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

    /// Bounds every score from the half-precision rows; the rows whose bound reaches the k-th best
    /// lower bound (and the threshold) are read and scored in float32, best bound first, until no
    /// remaining row can enter. A row that cannot be read keeps its half-precision score.
    func screenedSearch(_ query: [Float], halves: HalfPrecisionRows, file: RowFile,
                        topK: Int, threshold: Float) -> [(score: Float, row: Int)] {
        query.withUnsafeBufferPointer { q in
            let query = q.baseAddress!
            let (scores, slacks) = halves.scores(query)
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
            for candidate in candidates {
                if top.isFull && upper[candidate] < top.admissionScore { break }
                let score = file.score(candidate, query: query) ?? scores[candidate]
                if score >= threshold { top.offer(score: score, row: candidate) }
            }
            return top.sorted()
        }
    }
}
