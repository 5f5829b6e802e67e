import CBLAS

/// An orthonormal basis of the main directions of a set of rows (the mean's direction, then the
/// principal directions, by subspace iteration on the covariance of an evenly spaced sample). Any orthonormal basis keeps `CompactIndex` exact; a better
/// one only makes its bounds tighter.
enum PrincipalSubspace {
    static let sampleSize = 16_384
    static let iterations = 8

    /// Returns `rank` orthonormal rows of length `dimension` (row-major, rank x dimension).
    static func fit(_ vectors: [Float], rows: Int, dimension: Int, mean: [Float], rank: Int) -> [Float] {
        let covariance = covarianceOfSample(vectors, rows: rows, dimension: dimension, mean: mean)
        var basis = seededStart(rank: rank, dimension: dimension)
        orthonormalise(&basis, rank: rank, dimension: dimension)
        var next = [Float](repeating: 0, count: rank * dimension)
        for _ in 0..<iterations {
            multiply(basis, covariance, rank: rank, dimension: dimension, into: &next)
            swap(&basis, &next)
            orthonormalise(&basis, rank: rank, dimension: dimension)
        }
        // Queries look like catalog rows, so most of a query lies along the mean: putting the mean's
        // direction first in the basis leaves far less of the query outside it.
        let length = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard length > 1e-6, rank > 1 else { return basis }
        var withMean = mean.map { $0 / length }
        withMean.append(contentsOf: basis[0..<((rank - 1) * dimension)])
        orthonormalise(&withMean, rank: rank, dimension: dimension)
        return withMean
    }

    private static func covarianceOfSample(_ vectors: [Float], rows: Int, dimension: Int, mean: [Float]) -> [Float] {
        let count = min(rows, sampleSize)
        let stride = max(1, rows / max(count, 1))
        var sample = [Float](repeating: 0, count: count * dimension)
        for s in 0..<count {
            let row = s * stride
            for j in 0..<dimension { sample[s * dimension + j] = vectors[row * dimension + j] - mean[j] }
        }
        var covariance = [Float](repeating: 0, count: dimension * dimension)
        if VectorMath.blasAvailable {
            blas_sgemm(BLAS_ROW_MAJOR, BLAS_TRANS, BLAS_NO_TRANS, Int32(dimension), Int32(dimension), Int32(count), 1,
                       sample, Int32(dimension), sample, Int32(dimension), 0, &covariance, Int32(dimension))
        } else {
            for s in 0..<count {
                for i in 0..<dimension where sample[s * dimension + i] != 0 {
                    let a = sample[s * dimension + i]
                    for j in 0..<dimension { covariance[i * dimension + j] += a * sample[s * dimension + j] }
                }
            }
        }
        return covariance
    }

    /// A fixed pseudo-random start (so the same catalog always gets the same basis).
    private static func seededStart(rank: Int, dimension: Int) -> [Float] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<(rank * dimension)).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
    }

    /// next (rank x dimension) = basis (rank x dimension) * covariance (symmetric).
    private static func multiply(_ basis: [Float], _ covariance: [Float], rank: Int, dimension: Int, into next: inout [Float]) {
        if VectorMath.blasAvailable {
            blas_sgemm(BLAS_ROW_MAJOR, BLAS_NO_TRANS, BLAS_NO_TRANS, Int32(rank), Int32(dimension), Int32(dimension), 1,
                       basis, Int32(dimension), covariance, Int32(dimension), 0, &next, Int32(dimension))
        } else {
            basis.withUnsafeBufferPointer { b in
                covariance.withUnsafeBufferPointer { c in
                    for r in 0..<rank {
                        for j in 0..<dimension {
                            next[r * dimension + j] = VectorMath.dot(b.baseAddress! + r * dimension, c.baseAddress! + j * dimension, count: dimension)
                        }
                    }
                }
            }
        }
    }

    /// Modified Gram–Schmidt, twice over for accuracy; a row that collapses is replaced by a unit axis
    /// that is then orthogonalised like the others.
    static func orthonormalise(_ basis: inout [Float], rank: Int, dimension: Int) {
        basis.withUnsafeMutableBufferPointer { b in
            let base = b.baseAddress!
            for r in 0..<rank {
                let row = base + r * dimension
                for _ in 0..<2 {
                    for previous in 0..<r {
                        let other = base + previous * dimension
                        let projection = VectorMath.dot(row, other, count: dimension)
                        for j in 0..<dimension { row[j] -= projection * other[j] }
                    }
                }
                var length = VectorMath.norm(row, count: dimension)
                if length < 1e-6 {
                    for j in 0..<dimension { row[j] = j == r % dimension ? 1 : 0 }
                    for previous in 0..<r {
                        let other = base + previous * dimension
                        let projection = VectorMath.dot(row, other, count: dimension)
                        for j in 0..<dimension { row[j] -= projection * other[j] }
                    }
                    length = VectorMath.norm(row, count: dimension)
                }
                for j in 0..<dimension { row[j] /= max(length, 1e-12) }
            }
        }
    }
}
