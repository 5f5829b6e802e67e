import CBLAS
import Dispatch

/// The quantised tiers of a `CompactIndex` (see its layout).
struct CompactTiers {
    var scales: [Float]
    var codes: [Int8]
    var tails: [Float]
    var roundingErrors: [Float]
    var restScales: [Float]
    var restCodes: [Int8]
    var restErrors: [Float]
}

/// Builds the two tiers chunk by chunk (two matrix products per chunk): the first chunk sets the
/// quantisation scales, then all chunks are encoded on two threads.
struct CompactIndexEncoder {
    let rows: Int
    let dimension: Int
    let reduced: Int
    let mean: [Float]
    let basis: [Float]
    private var scales: [Float] = []
    private var restScales: [Float] = []

    static let chunk = 8_192

    init(rows: Int, dimension: Int, reduced: Int, mean: [Float], basis: [Float]) {
        self.rows = rows
        self.dimension = dimension
        self.reduced = reduced
        self.mean = mean
        self.basis = basis
    }

    /// Encodes every row of `vectors` (rows x dimension).
    mutating func encode(_ vectors: [Float]) -> CompactTiers {
        setScales(vectors)
        var tiers = CompactTiers(scales: scales, codes: HugePages.uninitialized(Int8.self, count: rows * reduced),
                                 tails: [Float](repeating: 0, count: rows), roundingErrors: [Float](repeating: 0, count: rows),
                                 restScales: restScales, restCodes: HugePages.uninitialized(Int8.self, count: rows * dimension),
                                 restErrors: [Float](repeating: 0, count: rows))
        let encoder = self, shared = SendableVectors(vectors)
        let chunks = (rows + Self.chunk - 1) / Self.chunk
        Output.with(&tiers) { output in
            DispatchQueue.concurrentPerform(iterations: min(2, chunks)) { worker in
                var workspace = Workspace(dimension: encoder.dimension, reduced: encoder.reduced)
                for chunk in stride(from: worker, to: chunks, by: 2) {
                    encoder.encodeChunk(shared.vectors, start: chunk * Self.chunk, workspace: &workspace, into: output)
                }
            }
        }
        return tiers
    }

    /// Scales from the first chunk: the tier-1 ones from its coordinates, the rest ones from its rest.
    private mutating func setScales(_ vectors: [Float]) {
        let count = min(Self.chunk, rows)
        var workspace = Workspace(dimension: dimension, reduced: reduced)
        workspace.centre(vectors, start: 0, count: count, mean: mean)
        multiply(workspace.centred, byBasisTransposeInto: &workspace.projected, rows: count)
        scales = Self.scales(workspace.projected, rows: count, width: reduced)
        restScales = [Float](repeating: 1, count: dimension)
        var probe = CompactTiers(scales: scales, codes: [Int8](repeating: 0, count: count * reduced),
                                 tails: [Float](repeating: 0, count: count), roundingErrors: [Float](repeating: 0, count: count),
                                 restScales: restScales, restCodes: [], restErrors: [])
        Output.with(&probe) { quantiseFirst(&workspace.projected, centred: workspace.centred, rows: count, start: 0, into: $0) }
        subtractReconstruction(workspace.projected, from: &workspace.centred, rows: count)
        restScales = Self.scales(workspace.centred, rows: count, width: dimension)
    }

    /// Centres, projects and quantises rows start..<start+chunk into both tiers.
    private func encodeChunk(_ vectors: [Float], start: Int, workspace: inout Workspace, into output: Output) {
        let count = min(Self.chunk, rows - start)
        workspace.centre(vectors, start: start, count: count, mean: mean)
        multiply(workspace.centred, byBasisTransposeInto: &workspace.projected, rows: count)
        quantiseFirst(&workspace.projected, centred: workspace.centred, rows: count, start: start, into: output)
        // centred -= dequantised · basis: what is left is the exact rest r.
        subtractReconstruction(workspace.projected, from: &workspace.centred, rows: count)
        quantiseRest(workspace.centred, rows: count, start: start, into: output)
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
    private func quantiseFirst(_ projected: inout [Float], centred: [Float], rows count: Int, start: Int, into output: Output) {
        for r in 0..<count {
            let total = Double(VectorMath.dot(centred, offset: r * dimension, count: dimension))
            var inside = 0.0, error = 0.0
            for j in 0..<reduced {
                let y = projected[r * reduced + j]
                inside += Double(y) * Double(y)
                let code = max(-127, min(127, (y / scales[j]).rounded()))
                output.codes[(start + r) * reduced + j] = Int8(code)
                let dequantised = code * scales[j]
                error += Double(y - dequantised) * Double(y - dequantised)
                projected[r * reduced + j] = dequantised
            }
            // A difference of squares: the added 1e-5 keeps it an upper bound despite float rounding.
            output.tails[start + r] = Float((max(0, total - inside) + 1e-5).squareRoot())
            output.roundingErrors[start + r] = Float(error.squareRoot()) * 1.001 + 1e-6
        }
    }

    private func quantiseRest(_ rest: [Float], rows count: Int, start: Int, into output: Output) {
        for r in 0..<count {
            var error = 0.0
            for j in 0..<dimension {
                let value = rest[r * dimension + j]
                let code = max(-127, min(127, (value / restScales[j]).rounded()))
                output.restCodes![(start + r) * dimension + j] = Int8(code)
                let difference = Double(value) - Double(code * restScales[j])
                error += difference * difference
            }
            output.restErrors![start + r] = Float(error.squareRoot()) * 1.001 + 1e-6
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

    /// One thread's buffers for a chunk.
    private struct Workspace {
        var centred: [Float]
        var projected: [Float]

        init(dimension: Int, reduced: Int) {
            centred = [Float](repeating: 0, count: CompactIndexEncoder.chunk * dimension)
            projected = [Float](repeating: 0, count: CompactIndexEncoder.chunk * reduced)
        }

        mutating func centre(_ vectors: [Float], start: Int, count: Int, mean: [Float]) {
            let dimension = mean.count
            vectors.withUnsafeBufferPointer { v in
                centred.withUnsafeMutableBufferPointer { c in
                    for r in 0..<count {
                        let source = v.baseAddress! + (start + r) * dimension, target = c.baseAddress! + r * dimension
                        for j in 0..<dimension { target[j] = source[j] - mean[j] }
                    }
                }
            }
        }
    }

    /// Where the threads write: disjoint rows of the tiers' arrays.
    private struct Output: @unchecked Sendable {
        let codes: UnsafeMutablePointer<Int8>
        let tails: UnsafeMutablePointer<Float>
        let roundingErrors: UnsafeMutablePointer<Float>
        let restCodes: UnsafeMutablePointer<Int8>?
        let restErrors: UnsafeMutablePointer<Float>?

        static func with(_ tiers: inout CompactTiers, _ body: (Output) -> Void) {
            tiers.codes.withUnsafeMutableBufferPointer { codes in
                tiers.tails.withUnsafeMutableBufferPointer { tails in
                    tiers.roundingErrors.withUnsafeMutableBufferPointer { errors in
                        tiers.restCodes.withUnsafeMutableBufferPointer { restCodes in
                            tiers.restErrors.withUnsafeMutableBufferPointer { restErrors in
                                body(Output(codes: codes.baseAddress!, tails: tails.baseAddress!, roundingErrors: errors.baseAddress!,
                                            restCodes: restCodes.baseAddress, restErrors: restErrors.baseAddress))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The catalog's rows, read by both encoding threads.
private struct SendableVectors: @unchecked Sendable {
    let vectors: [Float]
    init(_ vectors: [Float]) { self.vectors = vectors }
}
