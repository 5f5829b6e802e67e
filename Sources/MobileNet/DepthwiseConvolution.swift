/// 3x3 depthwise convolution + bias + ReLU6 on one NHWC image, vectorised over channels.
///
/// Stride 1 pads one pixel on every side; stride 2 pads one row at the bottom and one column at the
/// right only (Keras `ZeroPadding2D(((0, 1), (0, 1)))` then a valid convolution). Channel counts are
/// multiples of 8 for every published width multiplier.
enum DepthwiseConvolution {
    struct Geometry {
        let height: Int, width: Int, channels: Int, stride: Int
        var outputHeight: Int { Architecture.outputSide(height, stride: stride) }
        var outputWidth: Int { Architecture.outputSide(width, stride: stride) }
        /// Rows/columns of padding before the first pixel.
        var leading: Int { stride == 1 ? 1 : 0 }
    }

    /// Computes output rows `rows`. `weights` is `[3][3][C]`, `zeros` at least `width × channels` zeros.
    static func run(_ input: UnsafePointer<Float>, _ geometry: Geometry,
                    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, zeros: UnsafePointer<Float>,
                    output: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        let rowLength = geometry.width * geometry.channels
        let outputRowLength = geometry.outputWidth * geometry.channels
        func inputRow(_ row: Int) -> UnsafePointer<Float> {
            row >= 0 && row < geometry.height ? input + row * rowLength : zeros
        }
        for y in rows {
            let top = y * geometry.stride - geometry.leading
            let r0 = inputRow(top), r1 = inputRow(top + 1), r2 = inputRow(top + 2)
            let target = output + y * outputRowLength
            var channel = 0
            while channel + 16 <= geometry.channels {
                row(SIMD16<Float>.self, r0, r1, r2, geometry, channel, weights, bias, target)
                channel += 16
            }
            if channel < geometry.channels {
                row(SIMD8<Float>.self, r0, r1, r2, geometry, channel, weights, bias, target)
            }
        }
    }

    /// One output row for the channels `channel ..< channel + V.scalarCount`.
    @inline(__always)
    private static func row<V: SIMD>(_: V.Type, _ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>,
                                     _ r2: UnsafePointer<Float>, _ geometry: Geometry, _ channel: Int,
                                     _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                     _ output: UnsafeMutablePointer<Float>) where V.Scalar == Float {
        let c = geometry.channels
        let w = weights + channel
        let k00: V = w.vector(), k01: V = (w + c).vector(), k02: V = (w + 2 * c).vector()
        let k10: V = (w + 3 * c).vector(), k11: V = (w + 4 * c).vector(), k12: V = (w + 5 * c).vector()
        let k20: V = (w + 6 * c).vector(), k21: V = (w + 7 * c).vector(), k22: V = (w + 8 * c).vector()
        let b: V = (bias + channel).vector()
        let a0 = r0 + channel, a1 = r1 + channel, a2 = r2 + channel
        let outputWidth = geometry.outputWidth, width = geometry.width
        let stride = geometry.stride, leading = geometry.leading
        for x in 0..<outputWidth {
            let left = x * stride - leading
            var sum = b
            if left >= 0 {
                let o = left * c
                sum.addProduct((a0 + o).vector(), k00)
                sum.addProduct((a1 + o).vector(), k10)
                sum.addProduct((a2 + o).vector(), k20)
            }
            let o1 = (left + 1) * c
            sum.addProduct((a0 + o1).vector(), k01)
            sum.addProduct((a1 + o1).vector(), k11)
            sum.addProduct((a2 + o1).vector(), k21)
            if left + 2 < width {
                let o2 = (left + 2) * c
                sum.addProduct((a0 + o2).vector(), k02)
                sum.addProduct((a1 + o2).vector(), k12)
                sum.addProduct((a2 + o2).vector(), k22)
            }
            (output + x * c + channel).store(sum.relu6())
        }
    }
}
