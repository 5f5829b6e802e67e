import CBLAS

/// 1x1 convolution as OpenBLAS sgemm (NHWC pixel rows × weights), then bias + ReLU6 on the block just
/// computed, while it is still in cache. The weights are `NativePointwise`'s panels (the only copy
/// the model keeps): one sgemm per panel, each a `[Cin][width]` row-major matrix.
enum BLASPointwise {
    /// Output pixels `pixels` and output channels `columns` (cut at multiples of 32) of a layer whose
    /// input rows are `inputChannels` floats and output rows `outputChannels` floats; `input` holds
    /// pixel `pixels.lowerBound` first, `output` all pixels; `packed` comes from `NativePointwise.pack`.
    static func run(_ input: UnsafePointer<Float>, inputChannels: Int, outputChannels: Int,
                    packed: UnsafePointer<Float>, panelWidth: Int, bias: UnsafePointer<Float>,
                    output: UnsafeMutablePointer<Float>, pixels: Range<Int>, columns: Range<Int>) {
        guard !pixels.isEmpty, !columns.isEmpty else { return }
        let target = output + pixels.lowerBound * outputChannels
        var panel = columns.lowerBound
        while panel < columns.upperBound {
            let width = min(panelWidth, columns.upperBound - panel)
            blas_sgemm(BLAS_ROW_MAJOR, BLAS_NO_TRANS, BLAS_NO_TRANS, Int32(pixels.count), Int32(width),
                       Int32(inputChannels), 1, input, Int32(inputChannels),
                       packed + panel * inputChannels, Int32(width), 0, target + panel, Int32(outputChannels))
            panel += width
        }
        addBiasAndClamp(target + columns.lowerBound, rows: pixels.count, columns: columns.count,
                        rowStride: outputChannels, bias: bias + columns.lowerBound)
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
