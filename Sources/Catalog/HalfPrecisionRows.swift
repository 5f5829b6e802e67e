/// Feature rows rounded to half precision, with each row's rounding error |x - h| (2 bytes a value
/// instead of 4). For a query q, |q·x - q·h| ≤ |q|·|x - h|, so the half-precision scores bound every
/// exact score closely enough to pick the few rows worth reading and scoring in float32.
struct HalfPrecisionRows: Sendable {
    /// Relative slack for float rounding in the float32 sums of q·h: summing 1,024 products loses at
    /// most about 1024 × 2⁻²⁴ ≈ 6e-5 of |q|·|h|, and the SIMD partial sums lose less.
    static let roundingMargin = 1e-4

    let rows: Int
    let dimension: Int
    private let values: [Float16]
    /// Per row: |x - h| + roundingMargin·|h|, rounded up; the exact score lies within |q| times this
    /// of the half-precision one. Infinity where a value does not fit half precision.
    private let errors: [Float]

    init(_ vectors: UnsafeBufferPointer<Float>, rows: Int, dimension: Int) {
        self.rows = rows
        self.dimension = dimension
        values = vectors.map { Float16($0) }
        errors = (0..<rows).map { row in
            var squared = 0.0, halfSquared = 0.0
            for index in row * dimension..<(row + 1) * dimension {
                let half = Double(Float(Float16(vectors[index])))
                squared += (Double(vectors[index]) - half) * (Double(vectors[index]) - half)
                halfSquared += half * half
            }
            let bound = squared.squareRoot() * 1.0001 + Self.roundingMargin * halfSquared.squareRoot()
            return bound.isFinite ? Float(bound) : .infinity
        }
    }

    var memoryBytes: Int { values.count * MemoryLayout<Float16>.size + errors.count * MemoryLayout<Float>.size }

    /// For every row, the half-precision score and the slack around it: the exact score lies in
    /// `score ± slack`.
    func scores(_ query: UnsafePointer<Float>) -> (scores: [Float], slacks: [Float]) {
        let queryNorm = VectorMath.norm(query, count: dimension) * 1.0001
        let scores = values.withUnsafeBufferPointer { halves in
            (0..<rows).map { Self.dot(halves.baseAddress! + $0 * dimension, query, count: dimension) }
        }
        return (scores, errors.map { queryNorm * $0 })
    }

    /// Σ h[j] * q[j], the halves widened to float32 eight at a time.
    @inline(__always)
    private static func dot(_ halves: UnsafePointer<Float16>, _ query: UnsafePointer<Float>, count: Int) -> Float {
        let rawHalves = UnsafeRawPointer(halves), rawQuery = UnsafeRawPointer(query)
        var sum0 = SIMD8<Float>(), sum1 = SIMD8<Float>()
        var j = 0
        while j + 16 <= count {
            let h0 = rawHalves.loadUnaligned(fromByteOffset: j * 2, as: SIMD8<Float16>.self)
            let h1 = rawHalves.loadUnaligned(fromByteOffset: j * 2 + 16, as: SIMD8<Float16>.self)
            sum0 += SIMD8<Float>(h0) * rawQuery.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            sum1 += SIMD8<Float>(h1) * rawQuery.loadUnaligned(fromByteOffset: j * 4 + 32, as: SIMD8<Float>.self)
            j += 16
        }
        var total = (sum0 + sum1).sum()
        while j < count {
            total += Float(halves[j]) * query[j]
            j += 1
        }
        return total
    }
}
