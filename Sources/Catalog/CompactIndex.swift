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
/// (each widened by a small margin for float rounding in the sums).
///
/// Search. Tier 1 scans every row (two threads) and keeps its upper bounds. The k rows of each thread
/// with the best lower bounds are scored in float32: the k-th best of those exact scores (or the
/// threshold, if higher) is the cut, since k rows already reach it. Only rows whose tier-1 upper bound
/// reaches the cut are read in tier 2 (their codes prefetched a few rows ahead, as they lie scattered),
/// and those whose tier-2 upper bound still reaches it are scored in float32, best bound first, until
/// the next bound is below the k-th exact score. Seeding the cut with exact scores matters when the
/// tier-1 slack is wide (a query with much of its length outside P, e.g. a noisy near-duplicate): a
/// cut from lower bounds sits one slack below the answer and lets about half the catalog into tier 2.
final class CompactIndex: Sendable {
    static let reducedDimension = 256
    /// Absolute slack added to every bound to cover float rounding in the sums.
    static let roundingMargin: Float = 1e-4
    /// How many candidate rows ahead tier 2 asks for its codes.
    static let prefetchDistance = 2

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
        var encoder = CompactIndexEncoder(rows: rows, dimension: dimension, reduced: reduced, mean: mean, basis: basis)
        let tiers = encoder.encode(vectors)
        self.mean = mean
        self.basis = basis
        scales = tiers.scales
        codes = tiers.codes
        tails = tiers.tails
        roundingErrors = tiers.roundingErrors
        restScales = tiers.restScales
        restCodes = tiers.restCodes
        restErrors = tiers.restErrors
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

    /// The top k rows for `query` (of `dimension` floats); `exactScore(row)` is that row's float32
    /// score (from memory or from the feature file), asked for the few rows the bounds cannot settle.
    func search(query: UnsafePointer<Float>, topK: Int, threshold: Float, ids: [String],
                exactScore: (Int) -> Float) -> [(score: Float, row: Int)] {
        let terms = terms(for: query)
        // Tier 1: an upper bound for every row, and the rows with the best lower bounds as seeds.
        var upper = [Float](repeating: 0, count: rows)
        let seeds = firstTier(terms, topK: topK, into: &upper)
        // The k-th best exact score among any k rows is a floor for the answer's k-th score.
        let cut = max(threshold, kthScore(of: seeds, topK: topK, exactScore: exactScore))
        var survivors = secondTier(terms, upper: upper, cut: cut)
        // Exact scores, best upper bound first, until no remaining row can enter.
        survivors.sort { $0.bound > $1.bound }
        var top = TopK(capacity: topK, ids: ids)
        for survivor in survivors {
            if top.isFull && survivor.bound < top.admissionScore { break }
            let row = Int(survivor.row)
            let score = exactScore(row)
            if score >= threshold { top.offer(score: score, row: row) }
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

    /// The row ranges scanned in parallel (two cores; one range for small catalogs).
    private var parts: [Range<Int>] {
        let count = rows >= 65_536 ? 2 : 1
        let perPart = (rows + count - 1) / count
        return (0..<count).map { $0 * perPart..<min(rows, ($0 + 1) * perPart) }
    }

    /// Fills `upper` with a1 + slack for every row and returns, per part, the k rows with the largest
    /// lower bounds a1 - slack.
    private func firstTier(_ terms: QueryTerms, topK: Int, into upper: inout [Float]) -> [Int32] {
        let parts = self.parts
        var seeds = [[Int32]](repeating: [], count: parts.count)
        upper.withUnsafeMutableBufferPointer { out in
            seeds.withUnsafeMutableBufferPointer { seedBuffer in
                let output = SendablePointer(out.baseAddress!), seedOutput = SendablePointer(seedBuffer.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: parts.count) { part in
                    var best = RowHeap(capacity: topK)
                    terms.weights.withUnsafeBufferPointer { w in
                        codes.withUnsafeBufferPointer { c in
                            for row in parts[part] {
                                let score = terms.offset + Self.dot(c.baseAddress! + row * reduced, w.baseAddress!, count: reduced)
                                let slack = firstSlack(row, terms)
                                output.pointer[row] = score + slack
                                best.offer(score - slack, row: Int32(row))
                            }
                        }
                    }
                    seedOutput.pointer[part] = best.rows
                }
            }
        }
        return seeds.flatMap { $0 }
    }

    /// The k-th largest float32 score of the seed rows (-infinity with fewer than k seeds).
    private func kthScore(of seeds: [Int32], topK: Int, exactScore: (Int) -> Float) -> Float {
        guard seeds.count >= topK else { return -.infinity }
        let scores = seeds.map { exactScore(Int($0)) }
        return scores.sorted(by: >)[topK - 1]
    }

    /// The rows whose tier-1 upper bound reaches `cut`, with their tier-2 upper bounds, keeping those
    /// that still reach it.
    private func secondTier(_ terms: QueryTerms, upper: [Float], cut: Float) -> [(bound: Float, row: Int32)] {
        let parts = self.parts
        var found = [[(bound: Float, row: Int32)]](repeating: [], count: parts.count)
        found.withUnsafeMutableBufferPointer { out in
            let output = SendablePointer(out.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: parts.count) { part in
                var kept: [(bound: Float, row: Int32)] = []
                let candidates = upper.withUnsafeBufferPointer { u in parts[part].filter { u[$0] >= cut } }
                upper.withUnsafeBufferPointer { u in
                    terms.restWeights.withUnsafeBufferPointer { w in
                        restCodes.withUnsafeBufferPointer { c in
                            let codes = c.baseAddress!
                            for (index, row) in candidates.enumerated() {
                                if index + Self.prefetchDistance < candidates.count {
                                    Prefetch.read(codes + candidates[index + Self.prefetchDistance] * dimension, bytes: dimension)
                                }
                                // a1 recovered from the stored bound: off by float rounding, which the margin covers.
                                let first = u[row] - firstSlack(row, terms)
                                let bound = first + Self.dot(codes + row * dimension, w.baseAddress!, count: dimension)
                                    + secondSlack(row, terms)
                                if bound >= cut { kept.append((bound, Int32(row))) }
                            }
                        }
                    }
                }
                output.pointer[part] = kept
            }
        }
        return found.flatMap { $0 }
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

/// A raw pointer handed to worker closures that write disjoint ranges.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
