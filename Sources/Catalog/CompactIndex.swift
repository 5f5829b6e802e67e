import CBLAS
import Dispatch
import Foundation

/// A compact first-pass copy of a large feature matrix that bounds every row's score, so that only
/// rows that could still make the top k are re-scored in float32.
///
/// Layout: rows are centred on the catalog mean `m` and rotated onto an orthonormal basis `P` of the
/// `reducedDimension` main directions of the data (found by subspace iteration on the covariance of a
/// sample). Each row keeps its `P(x - m)` coordinates as int8 with one scale per coordinate, plus two
/// floats: the length of the part of `x - m` outside the basis (`tail`) and the length of its own
/// rounding error inside it (`roundingError`).
///
/// Exactness: for a query q, with y = P(x - m), c the int8 codes and s the scales,
/// `q·x = q·m + Pq·(s∘c) + Pq·(y - s∘c) + q⊥·(x - m)⊥`, and by Cauchy–Schwarz the last two terms lie
/// within `|Pq|·roundingError + |q⊥|·tail` (plus a small margin for float rounding). So every row has
/// a lower and an upper bound; rows whose upper bound is below the k-th largest lower bound (or the
/// threshold) cannot be in the answer. The remaining candidates are re-scored exactly, best upper bound
/// first, stopping once the next upper bound falls below the k-th exact score. The answer is the one a
/// full float32 scan gives; only the time depends on how tight the bounds are.
let debug = getenv("SIMILARITY_DEBUG_SEARCH") != nil
final class CompactIndex: Sendable {
    static let reducedDimension = 256
    /// Absolute slack added to every bound to cover float rounding in the sums.
    static let roundingMargin: Float = 1e-4

    let rows: Int
    let dimension: Int
    let reduced: Int
    let mean: [Float]            // D
    let basis: [Float]           // reduced x D, orthonormal rows
    let scales: [Float]          // reduced
    let codes: [Int8]            // rows x reduced
    let tails: [Float]           // rows
    let roundingErrors: [Float]  // rows

    var memoryBytes: Int { codes.count + (tails.count + roundingErrors.count + basis.count + mean.count) * 4 }

    init(vectors: [Float], rows: Int, dimension: Int) {
        let reduced = min(Self.reducedDimension, dimension)
        self.rows = rows
        self.dimension = dimension
        self.reduced = reduced
        var t = Date()
        let mean = Self.mean(vectors, rows: rows, dimension: dimension)
        if debug { print("DEBUG mean \(Date().timeIntervalSince(t))"); t = Date() }
        let basis = PrincipalSubspace.fit(vectors, rows: rows, dimension: dimension, mean: mean, rank: reduced)
        if debug { print("DEBUG fit \(Date().timeIntervalSince(t))"); t = Date() }
        let encoded = Self.encode(vectors, rows: rows, dimension: dimension, mean: mean, basis: basis, reduced: reduced)
        if debug { print("DEBUG encode \(Date().timeIntervalSince(t))"); t = Date() }
        self.mean = mean
        self.basis = basis
        self.scales = encoded.scales
        self.codes = encoded.codes
        self.tails = encoded.tails
        self.roundingErrors = encoded.roundingErrors
    }

    // MARK: Building

    private static func mean(_ vectors: [Float], rows: Int, dimension: Int) -> [Float] {
        var sum = [Double](repeating: 0, count: dimension)
        vectors.withUnsafeBufferPointer { v in
            for row in 0..<rows {
                let base = row * dimension
                for j in 0..<dimension { sum[j] += Double(v[base + j]) }
            }
        }
        return sum.map { Float($0 / Double(max(rows, 1))) }
    }

    private struct Encoded {
        var scales: [Float]
        var codes: [Int8]
        var tails: [Float]
        var roundingErrors: [Float]
    }

    /// Projects all rows in chunks, picks per-coordinate scales from the first chunk, and quantises.
    private static func encode(_ vectors: [Float], rows: Int, dimension: Int, mean: [Float], basis: [Float],
                               reduced: Int) -> Encoded {
        let chunk = 16_384
        var result = Encoded(scales: [], codes: [Int8](repeating: 0, count: rows * reduced),
                             tails: [Float](repeating: 0, count: rows), roundingErrors: [Float](repeating: 0, count: rows))
        var centred = [Float](repeating: 0, count: chunk * dimension)
        var projected = [Float](repeating: 0, count: chunk * reduced)
        var start = 0
        while start < rows {
            let count = min(chunk, rows - start)
            vectors.withUnsafeBufferPointer { v in
                for r in 0..<count {
                    for j in 0..<dimension { centred[r * dimension + j] = v[(start + r) * dimension + j] - mean[j] }
                }
            }
            multiplyByTranspose(centred, rows: count, dimension: dimension, basis: basis, reduced: reduced, into: &projected)
            if result.scales.isEmpty { result.scales = scales(projected, rows: count, reduced: reduced) }
            for r in 0..<count {
                quantise(row: start + r, centred: centred, offset: r, projected: projected, dimension: dimension,
                         reduced: reduced, into: &result)
            }
            start += count
        }
        return result
    }

    private static func quantise(row: Int, centred: [Float], offset r: Int, projected: [Float], dimension: Int,
                                 reduced: Int, into result: inout Encoded) {
        var inside = 0.0, total = 0.0, error = 0.0
        for j in 0..<dimension { total += Double(centred[r * dimension + j]) * Double(centred[r * dimension + j]) }
        for j in 0..<reduced {
            let y = projected[r * reduced + j]
            inside += Double(y) * Double(y)
            let code = max(-127, min(127, (y / result.scales[j]).rounded()))
            result.codes[row * reduced + j] = Int8(code)
            let difference = Double(y) - Double(code) * Double(result.scales[j])
            error += difference * difference
        }
        // The tail length comes from a difference of squares; the added 1e-5 keeps it an upper bound
        // when float rounding in the projection makes `inside` slightly too large.
        result.tails[row] = Float((max(0, total - inside) + 1e-5).squareRoot())
        result.roundingErrors[row] = Float(error.squareRoot()) * 1.001 + 1e-6
    }

    private static func scales(_ projected: [Float], rows: Int, reduced: Int) -> [Float] {
        var maxima = [Float](repeating: 0, count: reduced)
        for r in 0..<rows {
            for j in 0..<reduced { maxima[j] = max(maxima[j], abs(projected[r * reduced + j])) }
        }
        return maxima.map { max($0, 1e-6) / 127 }
    }

    /// out (rows x reduced) = a (rows x dimension) * basisᵀ.
    static func multiplyByTranspose(_ a: [Float], rows: Int, dimension: Int, basis: [Float], reduced: Int,
                                    into out: inout [Float]) {
        if VectorMath.blasAvailable {
            blas_sgemm(BLAS_ROW_MAJOR, BLAS_NO_TRANS, BLAS_TRANS, Int32(rows), Int32(reduced), Int32(dimension), 1,
                       a, Int32(dimension), basis, Int32(dimension), 0, &out, Int32(reduced))
        } else {
            a.withUnsafeBufferPointer { a in
                basis.withUnsafeBufferPointer { b in
                    for r in 0..<rows {
                        for j in 0..<reduced {
                            out[r * reduced + j] = VectorMath.dot(a.baseAddress! + r * dimension, b.baseAddress! + j * dimension, count: dimension)
                        }
                    }
                }
            }
        }
    }

    // MARK: Searching

    /// The query-side numbers every row's bound needs.
    private struct QueryTerms {
        var weights: [Float]    // Pq ∘ s
        var offset: Float       // q·m
        var insideNorm: Float   // |Pq|
        var outsideNorm: Float  // |q⊥|
    }

    private func terms(for query: UnsafePointer<Float>) -> QueryTerms {
        var projected = [Float](repeating: 0, count: reduced)
        basis.withUnsafeBufferPointer { b in
            for j in 0..<reduced { projected[j] = VectorMath.dot(b.baseAddress! + j * dimension, query, count: dimension) }
        }
        let offset = mean.withUnsafeBufferPointer { VectorMath.dot($0.baseAddress!, query, count: dimension) }
        let queryNormSquared = Double(VectorMath.dot(query, query, count: dimension))
        let insideSquared = projected.reduce(0.0) { $0 + Double($1) * Double($1) }
        return QueryTerms(weights: zip(projected, scales).map { $0 * $1 },
                          offset: offset,
                          insideNorm: Float(insideSquared.squareRoot()) * 1.001 + 1e-6,
                          outsideNorm: Float((max(0, queryNormSquared - insideSquared) + 1e-5).squareRoot()))
    }

    func search(query: UnsafePointer<Float>, rows vectors: UnsafePointer<Float>, topK: Int, threshold: Float,
                ids: [String]) -> [(score: Float, row: Int)] {
        let terms = terms(for: query)
        var approximate = [Float](repeating: 0, count: rows)
        let lowerCut = approximateScores(terms, topK: topK, into: &approximate)
        let cutoff = max(lowerCut, threshold)
        var candidates: [(bound: Float, row: Int)] = []
        for row in 0..<rows {
            let upper = approximate[row] + slack(row, terms)
            if upper >= cutoff { candidates.append((upper, row)) }
        }
        candidates.sort { $0.bound > $1.bound }
        var top = TopK(capacity: topK, ids: ids)
        var rescored = 0
        defer { if debug { print("DEBUG cutoff \(cutoff) candidates \(candidates.count) rescored \(rescored) inside \(terms.insideNorm) outside \(terms.outsideNorm) meanTail \(tails.reduce(0,+)/Float(rows)) meanErr \(roundingErrors.reduce(0,+)/Float(rows))") } }
        for candidate in candidates {
            if top.isFull && candidate.bound < top.admissionScore { break }
            rescored += 1
            let score = VectorMath.dot(vectors + candidate.row * dimension, query, count: dimension)
            if score >= threshold { top.offer(score: score, row: candidate.row) }
        }
        return top.sorted()
    }

    @inline(__always)
    private func slack(_ row: Int, _ terms: QueryTerms) -> Float {
        terms.outsideNorm * tails[row] + terms.insideNorm * roundingErrors[row] + Self.roundingMargin
    }

    /// Fills `approximate` with q·m + Pq·(s∘c) for every row (two threads) and returns the k-th largest
    /// lower bound (or -infinity when there are fewer than k rows).
    private func approximateScores(_ terms: QueryTerms, topK: Int, into approximate: inout [Float]) -> Float {
        let parts = rows >= 65_536 ? 2 : 1
        let perPart = (rows + parts - 1) / parts
        let kthLower = UnsafeMutableBufferPointer<Float>.allocate(capacity: parts)
        defer { kthLower.deallocate() }
        approximate.withUnsafeMutableBufferPointer { out in
            let output = SendablePointer(out.baseAddress!)
            let lowers = SendablePointer(kthLower.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let start = part * perPart, end = min(rows, start + perPart)
                lowers.pointer[part] = scoreRange(start..<end, terms, topK: topK, into: output.pointer)
            }
        }
        if parts == 1 { return kthLower[0] }
        // The k-th largest lower bound overall is at least the larger of the per-part k-th values.
        return kthLower.max() ?? -.infinity
    }

    private func scoreRange(_ range: Range<Int>, _ terms: QueryTerms, topK: Int, into output: UnsafeMutablePointer<Float>) -> Float {
        var lowers = FloatMinHeap(capacity: topK)
        terms.weights.withUnsafeBufferPointer { w in
            codes.withUnsafeBufferPointer { c in
                let weights = UnsafeRawPointer(w.baseAddress!)
                for row in range {
                    let codeRow = UnsafeRawPointer(c.baseAddress! + row * reduced)
                    var sum0 = SIMD16<Float>(), sum1 = SIMD16<Float>()
                    var j = 0
                    while j + 32 <= reduced {
                        let c0 = codeRow.loadUnaligned(fromByteOffset: j, as: SIMD16<Int8>.self)
                        let c1 = codeRow.loadUnaligned(fromByteOffset: j + 16, as: SIMD16<Int8>.self)
                        sum0 += SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: c0)) * weights.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                        sum1 += SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: c1)) * weights.loadUnaligned(fromByteOffset: (j + 16) * 4, as: SIMD16<Float>.self)
                        j += 32
                    }
                    var score = (sum0 + sum1).sum()
                    while j < reduced {
                        score += Float(c[row * reduced + j]) * w[j]
                        j += 1
                    }
                    score += terms.offset
                    output[row] = score
                    lowers.offer(score - slack(row, terms))
                }
            }
        }
        return lowers.isFull ? lowers.minimum : -.infinity
    }
}

/// The k largest floats seen, smallest on top.
struct FloatMinHeap {
    private var heap: [Float] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        heap.reserveCapacity(capacity)
    }

    var isFull: Bool { heap.count >= capacity }
    var minimum: Float { heap.first ?? -.infinity }

    @inline(__always)
    mutating func offer(_ value: Float) {
        if heap.count < capacity {
            heap.append(value)
            var child = heap.count - 1
            while child > 0, heap[child] < heap[(child - 1) / 2] {
                heap.swapAt(child, (child - 1) / 2)
                child = (child - 1) / 2
            }
        } else if value > heap[0] {
            heap[0] = value
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left] < heap[smallest] { smallest = left }
                if right < heap.count, heap[right] < heap[smallest] { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
    }
}

/// A raw pointer handed to worker closures that write disjoint ranges.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
