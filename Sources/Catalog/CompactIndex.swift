import CBLAS
import Dispatch

/// Compact copies of a large feature matrix that bound every row's score, so that only the few rows
/// that could still make the top k are re-scored in float32. The answer is exactly the one a full
/// float32 scan gives; only the time depends on how tight the bounds are.
///
/// Layout (for rows x, catalog mean m, and P an orthonormal basis of the mean's direction and the
/// main directions of the data, `reducedDimension` rows long):
/// - tier 1, 256 bytes a row: y = P(x - m) as int8 codes c with one scale per coordinate (s), plus
///   two floats: `tail` = |(x - m) outside P| and `roundingError` = |y - s∘c|;
/// - tier 2, D bytes a row: the exact rest r = x - m - Pᵀ(s∘c) as int8 codes k with one scale per
///   dimension (t), plus `restError` = |r - t∘k|.
///
/// Exactness. For a query q:
///   q·x = a1 + Pq·(y - s∘c) + q⊥·(x - m)⊥,   a1 = q·m + Pq·(s∘c)
///   q·x = a2 + q·(r - t∘k),                  a2 = a1 + q·(t∘k)
/// By Cauchy–Schwarz |q·x - a1| ≤ |Pq|·roundingError + |q⊥|·tail and |q·x - a2| ≤ |q|·restError
/// (each widened by a small margin for float rounding in the sums). A row whose upper bound is
/// below the k-th largest lower bound (or below the threshold) cannot be in the answer. Tier 1 scans
/// every row; tier 2 only rows tier 1 kept; the survivors of tier 2 are scored in float32, best upper
/// bound first, until the next upper bound is below the k-th exact score.
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
    let restScales: [Float]      // D
    let restCodes: [Int8]        // rows x D
    let restErrors: [Float]      // rows

    var memoryBytes: Int {
        codes.count + restCodes.count + (tails.count * 3 + basis.count + mean.count * 2 + scales.count) * 4
    }

    init(vectors: [Float], rows: Int, dimension: Int) {
        let reduced = min(Self.reducedDimension, dimension)
        self.rows = rows
        self.dimension = dimension
        self.reduced = reduced
        let mean = Self.mean(vectors, rows: rows, dimension: dimension)
        let basis = PrincipalSubspace.fit(vectors, rows: rows, dimension: dimension, mean: mean, rank: reduced)
        var encoder = Encoder(rows: rows, dimension: dimension, reduced: reduced, mean: mean, basis: basis)
        encoder.encode(vectors)
        self.mean = mean
        self.basis = basis
        scales = encoder.scales
        codes = encoder.codes
        tails = encoder.tails
        roundingErrors = encoder.roundingErrors
        restScales = encoder.restScales
        restCodes = encoder.restCodes
        restErrors = encoder.restErrors
    }

    private static func mean(_ vectors: [Float], rows: Int, dimension: Int) -> [Float] {
        var sum = [Double](repeating: 0, count: dimension)
        vectors.withUnsafeBufferPointer { v in
            for row in 0..<rows {
                let base = v.baseAddress! + row * dimension
                for j in 0..<dimension { sum[j] += Double(base[j]) }
            }
        }
        return sum.map { Float($0 / Double(max(rows, 1))) }
    }

    // MARK: Searching

    /// The query-side numbers the bounds need.
    private struct QueryTerms {
        var weights: [Float]      // Pq ∘ s
        var restWeights: [Float]  // q ∘ t
        var offset: Float         // q·m
        var insideNorm: Float     // |Pq|
        var outsideNorm: Float    // |q⊥|
        var norm: Float           // |q|
    }

    private func terms(for query: UnsafePointer<Float>) -> QueryTerms {
        var projected = [Float](repeating: 0, count: reduced)
        basis.withUnsafeBufferPointer { b in
            for j in 0..<reduced { projected[j] = VectorMath.dot(b.baseAddress! + j * dimension, query, count: dimension) }
        }
        let offset = mean.withUnsafeBufferPointer { VectorMath.dot($0.baseAddress!, query, count: dimension) }
        let normSquared = (0..<dimension).reduce(0.0) { $0 + Double(query[$1]) * Double(query[$1]) }
        let insideSquared = projected.reduce(0.0) { $0 + Double($1) * Double($1) }
        // Norms are rounded up a little so the bounds stay bounds under float rounding.
        return QueryTerms(weights: zip(projected, scales).map { $0 * $1 },
                          restWeights: (0..<dimension).map { query[$0] * restScales[$0] },
                          offset: offset,
                          insideNorm: Float(insideSquared.squareRoot()) * 1.001 + 1e-6,
                          outsideNorm: Float((max(0, normSquared - insideSquared) + 1e-5).squareRoot()),
                          norm: Float(normSquared.squareRoot()) * 1.001 + 1e-6)
    }

    func search(query: UnsafePointer<Float>, rows vectors: UnsafePointer<Float>, topK: Int, threshold: Float,
                ids: [String]) -> [(score: Float, row: Int)] {
        let terms = terms(for: query)
        // Tier 1: every row.
        var first = [Float](repeating: 0, count: rows)
        let firstCut = max(firstTier(terms, topK: topK, into: &first), threshold)
        var kept: [Int32] = []
        for row in 0..<rows where first[row] + firstSlack(row, terms) >= firstCut { kept.append(Int32(row)) }
        // Tier 2: the rows tier 1 kept, in row order.
        var second = [Float](repeating: 0, count: kept.count)
        let secondCut = max(secondTier(terms, rows: kept, first: first, topK: topK, into: &second), threshold)
        var survivors: [(bound: Float, row: Int)] = []
        for (index, row) in kept.enumerated() {
            let upper = second[index] + secondSlack(Int(row), terms)
            if upper >= secondCut { survivors.append((upper, Int(row))) }
        }
        // Exact scores, best upper bound first.
        survivors.sort { $0.bound > $1.bound }
        var top = TopK(capacity: topK, ids: ids)
        for survivor in survivors {
            if top.isFull && survivor.bound < top.admissionScore { break }
            let score = VectorMath.dot(vectors + survivor.row * dimension, query, count: dimension)
            if score >= threshold { top.offer(score: score, row: survivor.row) }
        }
        return top.sorted()
    }

    @inline(__always)
    private func firstSlack(_ row: Int, _ terms: QueryTerms) -> Float {
        terms.outsideNorm * tails[row] + terms.insideNorm * roundingErrors[row] + Self.roundingMargin
    }

    @inline(__always)
    private func secondSlack(_ row: Int, _ terms: QueryTerms) -> Float {
        terms.norm * restErrors[row] + 2 * Self.roundingMargin
    }

    /// Fills `first` with a1 for every row (two threads for large catalogs) and returns a value no
    /// larger than the k-th largest lower bound (-infinity with fewer than k rows).
    private func firstTier(_ terms: QueryTerms, topK: Int, into first: inout [Float]) -> Float {
        let parts = rows >= 65_536 ? 2 : 1
        let perPart = (rows + parts - 1) / parts
        var cuts = [Float](repeating: -.infinity, count: parts)
        first.withUnsafeMutableBufferPointer { out in
            cuts.withUnsafeMutableBufferPointer { cutBuffer in
                let output = SendablePointer(out.baseAddress!), cutOutput = SendablePointer(cutBuffer.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    var lowers = FloatMinHeap(capacity: topK)
                    terms.weights.withUnsafeBufferPointer { w in
                        codes.withUnsafeBufferPointer { c in
                            for row in part * perPart..<min(rows, (part + 1) * perPart) {
                                let score = terms.offset + Self.dot(c.baseAddress! + row * reduced, w.baseAddress!, count: reduced)
                                output.pointer[row] = score
                                lowers.offer(score - firstSlack(row, terms))
                            }
                        }
                    }
                    cutOutput.pointer[part] = lowers.isFull ? lowers.minimum : -.infinity
                }
            }
        }
        // Each part's k-th lower bound is at most the overall k-th, so the largest of them is safe.
        return cuts.max() ?? -.infinity
    }

    /// Fills `second` with a2 for the kept rows and returns a value no larger than their k-th largest
    /// lower bound.
    private func secondTier(_ terms: QueryTerms, rows kept: [Int32], first: [Float], topK: Int, into second: inout [Float]) -> Float {
        let parts = kept.count >= 16_384 ? 2 : 1
        let perPart = (kept.count + parts - 1) / parts
        var cuts = [Float](repeating: -.infinity, count: parts)
        second.withUnsafeMutableBufferPointer { out in
            cuts.withUnsafeMutableBufferPointer { cutBuffer in
                let output = SendablePointer(out.baseAddress!), cutOutput = SendablePointer(cutBuffer.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    var lowers = FloatMinHeap(capacity: topK)
                    terms.restWeights.withUnsafeBufferPointer { w in
                        restCodes.withUnsafeBufferPointer { c in
                            for index in part * perPart..<min(kept.count, (part + 1) * perPart) {
                                let row = Int(kept[index])
                                let score = first[row] + Self.dot(c.baseAddress! + row * dimension, w.baseAddress!, count: dimension)
                                output.pointer[index] = score
                                lowers.offer(score - secondSlack(row, terms))
                            }
                        }
                    }
                    cutOutput.pointer[part] = lowers.isFull ? lowers.minimum : -.infinity
                }
            }
        }
        return cuts.max() ?? -.infinity
    }

    /// Σ codes[j] * weights[j] for int8 codes.
    @inline(__always)
    static func dot(_ codes: UnsafePointer<Int8>, _ weights: UnsafePointer<Float>, count: Int) -> Float {
        let rawCodes = UnsafeRawPointer(codes), rawWeights = UnsafeRawPointer(weights)
        var sum0 = SIMD16<Float>(), sum1 = SIMD16<Float>()
        var j = 0
        while j + 32 <= count {
            let c0 = rawCodes.loadUnaligned(fromByteOffset: j, as: SIMD16<Int8>.self)
            let c1 = rawCodes.loadUnaligned(fromByteOffset: j + 16, as: SIMD16<Int8>.self)
            sum0 += floats(c0) * rawWeights.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            sum1 += floats(c1) * rawWeights.loadUnaligned(fromByteOffset: (j + 16) * 4, as: SIMD16<Float>.self)
            j += 32
        }
        var total = (sum0 + sum1).sum()
        while j < count {
            total += Float(codes[j]) * weights[j]
            j += 1
        }
        return total
    }

    /// Int8 lanes to Float lanes. Spelled lane by lane on purpose: the compiler turns this into one
    /// widening and one conversion instruction, while the generic SIMD conversions become calls.
    @inline(__always)
    static func floats(_ c: SIMD16<Int8>) -> SIMD16<Float> {
        SIMD16<Float>(Float(c[0]), Float(c[1]), Float(c[2]), Float(c[3]), Float(c[4]), Float(c[5]), Float(c[6]), Float(c[7]),
                      Float(c[8]), Float(c[9]), Float(c[10]), Float(c[11]), Float(c[12]), Float(c[13]), Float(c[14]), Float(c[15]))
    }
}

/// Builds the two tiers chunk by chunk (two matrix products per chunk).
private struct Encoder {
    let rows: Int
    let dimension: Int
    let reduced: Int
    let mean: [Float]
    let basis: [Float]
    var scales: [Float] = []
    var codes: [Int8]
    var tails: [Float]
    var roundingErrors: [Float]
    var restScales: [Float] = []
    var restCodes: [Int8]
    var restErrors: [Float]

    init(rows: Int, dimension: Int, reduced: Int, mean: [Float], basis: [Float]) {
        self.rows = rows
        self.dimension = dimension
        self.reduced = reduced
        self.mean = mean
        self.basis = basis
        codes = [Int8](repeating: 0, count: rows * reduced)
        tails = [Float](repeating: 0, count: rows)
        roundingErrors = [Float](repeating: 0, count: rows)
        restCodes = [Int8](repeating: 0, count: rows * dimension)
        restErrors = [Float](repeating: 0, count: rows)
    }

    mutating func encode(_ vectors: [Float]) {
        let chunk = 8_192
        var centred = [Float](repeating: 0, count: chunk * dimension)
        var projected = [Float](repeating: 0, count: chunk * reduced)
        var start = 0
        while start < rows {
            let count = min(chunk, rows - start)
            vectors.withUnsafeBufferPointer { v in
                centred.withUnsafeMutableBufferPointer { c in
                    for r in 0..<count {
                        let source = v.baseAddress! + (start + r) * dimension, target = c.baseAddress! + r * dimension
                        for j in 0..<dimension { target[j] = source[j] - mean[j] }
                    }
                }
            }
            multiply(centred, byBasisTransposeInto: &projected, rows: count)
            if scales.isEmpty { scales = Self.scales(projected, rows: count, width: reduced) }
            let totals = (0..<count).map { r in Double(VectorMath.dot(centred, offset: r * dimension, count: dimension)) }
            quantiseFirst(&projected, rows: count, start: start, totals: totals)
            // centred -= dequantised · basis: what is left is the exact rest r.
            subtractReconstruction(projected, from: &centred, rows: count)
            if restScales.isEmpty { restScales = Self.scales(centred, rows: count, width: dimension) }
            quantiseRest(centred, rows: count, start: start)
            start += count
        }
    }

    /// projected (rows x reduced) = centred (rows x D) · basisᵀ.
    private func multiply(_ centred: [Float], byBasisTransposeInto projected: inout [Float], rows count: Int) {
        blas_sgemm(BLAS_ROW_MAJOR, BLAS_NO_TRANS, BLAS_TRANS, Int32(count), Int32(reduced), Int32(dimension), 1,
                   centred, Int32(dimension), basis, Int32(dimension), 0, &projected, Int32(reduced))
    }

    /// centred -= projected (now the dequantised coordinates) · basis.
    private func subtractReconstruction(_ projected: [Float], from centred: inout [Float], rows count: Int) {
        blas_sgemm(BLAS_ROW_MAJOR, BLAS_NO_TRANS, BLAS_NO_TRANS, Int32(count), Int32(dimension), Int32(reduced), -1,
                   projected, Int32(reduced), basis, Int32(dimension), 1, &centred, Int32(dimension))
    }

    /// Quantises tier 1 in place: `projected` becomes s∘c. Records the tail and rounding error.
    private mutating func quantiseFirst(_ projected: inout [Float], rows count: Int, start: Int, totals: [Double]) {
        for r in 0..<count {
            var inside = 0.0, error = 0.0
            for j in 0..<reduced {
                let y = projected[r * reduced + j]
                inside += Double(y) * Double(y)
                let code = max(-127, min(127, (y / scales[j]).rounded()))
                codes[(start + r) * reduced + j] = Int8(code)
                let dequantised = code * scales[j]
                error += Double(y - dequantised) * Double(y - dequantised)
                projected[r * reduced + j] = dequantised
            }
            // A difference of squares: the added 1e-5 keeps it an upper bound despite float rounding.
            tails[start + r] = Float((max(0, totals[r] - inside) + 1e-5).squareRoot())
            roundingErrors[start + r] = Float(error.squareRoot()) * 1.001 + 1e-6
        }
    }

    private mutating func quantiseRest(_ rest: [Float], rows count: Int, start: Int) {
        for r in 0..<count {
            var error = 0.0
            for j in 0..<dimension {
                let value = rest[r * dimension + j]
                let code = max(-127, min(127, (value / restScales[j]).rounded()))
                restCodes[(start + r) * dimension + j] = Int8(code)
                let difference = Double(value) - Double(code * restScales[j])
                error += difference * difference
            }
            restErrors[start + r] = Float(error.squareRoot()) * 1.001 + 1e-6
        }
    }

    /// One scale per column: the largest magnitude in the first chunk over 127 (later values beyond
    /// it are clipped, and their larger error is recorded like any other).
    private static func scales(_ values: [Float], rows: Int, width: Int) -> [Float] {
        var maxima = [Float](repeating: 0, count: width)
        for r in 0..<rows {
            for j in 0..<width { maxima[j] = max(maxima[j], abs(values[r * width + j])) }
        }
        return maxima.map { max($0, 1e-6) / 127 }
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
