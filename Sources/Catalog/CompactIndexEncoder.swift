import CBLAS

/// Builds the two tiers chunk by chunk (two matrix products per chunk).
struct CompactIndexEncoder {
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
        codes = HugePages.zeros(Int8.self, count: rows * reduced)
        tails = [Float](repeating: 0, count: rows)
        roundingErrors = [Float](repeating: 0, count: rows)
        restCodes = HugePages.zeros(Int8.self, count: rows * dimension)
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
