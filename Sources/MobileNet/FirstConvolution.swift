/// The first layer: 3x3 stride-2 convolution of the RGB image + bias + ReLU6, computed directly
/// (no im2col), vectorised over output channels. Pads one row/column at the bottom/right only.
enum FirstConvolution {
    /// Computes output rows `rows` of one `size`×`size`×3 image. `weights` is `[3][3][3][C]`.
    static func run(_ input: UnsafePointer<Float>, size: Int, channels: Int,
                    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                    output: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        let outputSide = Architecture.outputSide(size, stride: 2)
        for y in rows {
            let target = output + y * outputSide * channels
            var channel = 0
            while channel + 16 <= channels {
                row(SIMD16<Float>.self, input, size: size, y: y, channels: channels, channel: channel,
                    weights: weights, bias: bias, output: target)
                channel += 16
            }
            if channel < channels {
                row(SIMD8<Float>.self, input, size: size, y: y, channels: channels, channel: channel,
                    weights: weights, bias: bias, output: target)
            }
        }
    }

    @inline(__always)
    private static func row<V: SIMD>(_: V.Type, _ input: UnsafePointer<Float>, size: Int, y: Int,
                                     channels: Int, channel: Int, weights: UnsafePointer<Float>,
                                     bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>)
    where V.Scalar == Float {
        let outputSide = Architecture.outputSide(size, stride: 2)
        let b: V = (bias + channel).vector()
        let w = weights + channel
        let kernelRows = min(3, size - 2 * y)
        for x in 0..<outputSide {
            let kernelColumns = min(3, size - 2 * x)
            var sum = b
            let corner = input + (2 * y * size + 2 * x) * 3
            if kernelRows == 3 && kernelColumns == 3 {
                for ky in 0..<3 {
                    for tap in 0..<9 {  // 3 columns × 3 input channels are contiguous in NHWC
                        let value = corner[ky * size * 3 + tap]
                        sum.addProduct(V(repeating: value), (w + (ky * 9 + tap) * channels).vector())
                    }
                }
            } else {
                for ky in 0..<kernelRows {
                    for tap in 0..<(kernelColumns * 3) {
                        let value = corner[ky * size * 3 + tap]
                        sum.addProduct(V(repeating: value), (w + (ky * 9 + tap) * channels).vector())
                    }
                }
            }
            (output + x * channels + channel).store(sum.relu6())
        }
    }
}
