import CBLAS

/// 1x1 convolution as one sgemm over all pixels (NHWC rows × `[Cin][Cout]` weights), then bias + ReLU6.
enum PointwiseConvolution {
    /// `pixels` rows of `inputChannels` floats in, `pixels` rows of `outputChannels` floats out.
    static func run(_ input: UnsafePointer<Float>, pixels: Int, inputChannels: Int, outputChannels: Int,
                    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        blas_sgemm(BLAS_ROW_MAJOR, BLAS_NO_TRANS, BLAS_NO_TRANS, Int32(pixels), Int32(outputChannels),
                   Int32(inputChannels), 1, input, Int32(inputChannels), weights, Int32(outputChannels),
                   0, output, Int32(outputChannels))
        addBiasAndClamp(output, rows: pixels, channels: outputChannels, bias: bias)
    }

    /// `x = relu6(x + bias)` over `rows` rows of `channels` (a multiple of 8) floats.
    static func addBiasAndClamp(_ data: UnsafeMutablePointer<Float>, rows: Int, channels: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = data + r * channels
            var c = 0
            while c + 16 <= channels {
                let value: SIMD16<Float> = (row + c).vector() + (bias + c).vector()
                (row + c).store(value.relu6())
                c += 16
            }
            if c < channels {
                let value: SIMD8<Float> = (row + c).vector() + (bias + c).vector()
                (row + c).store(value.relu6())
            }
        }
    }
}
