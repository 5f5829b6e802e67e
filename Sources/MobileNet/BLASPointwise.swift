import CBLAS

/// 1x1 convolution as OpenBLAS sgemm (NHWC pixel rows × `[Cin][Cout]` weights), then bias + ReLU6 on the
/// block just computed, while it is still in cache.
enum BLASPointwise {
    /// Output pixels `pixels` and output channels `columns` of a layer whose input rows are
    /// `inputChannels` floats and output rows `outputChannels` floats; `input` holds pixel
    /// `pixels.lowerBound` first, `output` all pixels.
    static func run(_ input: UnsafePointer<Float>, inputChannels: Int, outputChannels: Int,
                    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                    pixels: Range<Int>, columns: Range<Int>) {
        guard !pixels.isEmpty, !columns.isEmpty else { return }
        let target = output + pixels.lowerBound * outputChannels + columns.lowerBound
        blas_sgemm(BLAS_ROW_MAJOR, BLAS_NO_TRANS, BLAS_NO_TRANS, Int32(pixels.count), Int32(columns.count),
                   Int32(inputChannels), 1, input, Int32(inputChannels),
                   weights + columns.lowerBound, Int32(outputChannels), 0, target, Int32(outputChannels))
        addBiasAndClamp(target, rows: pixels.count, columns: columns.count, rowStride: outputChannels,
                        bias: bias + columns.lowerBound)
    }

    /// `x = relu6(x + bias)` over `rows` rows of `columns` (a multiple of 8) floats, `rowStride` apart.
    static func addBiasAndClamp(_ data: UnsafeMutablePointer<Float>, rows: Int, columns: Int, rowStride: Int,
                                bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = data + r * rowStride
            var c = 0
            while c + 16 <= columns {
                let value: SIMD16<Float> = (row + c).vector() + (bias + c).vector()
                (row + c).store(value.relu6())
                c += 16
            }
            if c < columns {
                let value: SIMD8<Float> = (row + c).vector() + (bias + c).vector()
                (row + c).store(value.relu6())
            }
        }
    }
}
