/// The first layer: 3x3 stride-2 convolution of the RGB image + bias + ReLU6, computed directly
/// (no im2col), vectorised over output channels. Pads one row/column at the bottom/right only.
///
/// Four output pixels are computed together so that four accumulator chains run in parallel and
/// each weight vector is loaded once for all four.
enum FirstConvolution {
    /// Computes output rows `rows` of one `size`×`size`×3 image. `weights` is `[3][3][3][C]`.
    static func run(_ input: UnsafePointer<Float>, size: Int, channels: Int,
                    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                    output: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        let outputSide = Architecture.outputSide(size, stride: 2)
        for y in rows {
            let target = output + y &* outputSide &* channels
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
    private static func row<V: FloatVector>(_: V.Type, _ input: UnsafePointer<Float>, size: Int, y: Int,
                                            channels: Int, channel: Int, weights: UnsafePointer<Float>,
                                            bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let outputSide = Architecture.outputSide(size, stride: 2)
        let b: V = (bias + channel).vector()
        let w = weights + channel
        let kernelRows = min(3, size &- 2 &* y)
        let rowLength = size &* 3
        // Pixels whose 3×3 window lies inside the image (all but the last when the side is even).
        let interior = kernelRows == 3 ? (size - 3) / 2 + 1 : 0
        var x = 0
        while x + 4 <= interior {
            var s0 = b, s1 = b, s2 = b, s3 = b
            let corner = input + (2 &* y &* size &+ 2 &* x) &* 3
            for ky in 0..<3 {
                let line = corner + ky &* rowLength
                for tap in 0..<9 {  // 3 columns × 3 input channels, contiguous in NHWC
                    let weight: V = (w + (ky &* 9 &+ tap) &* channels).vector()
                    s0.addProduct(V(repeating: line[tap]), weight)
                    s1.addProduct(V(repeating: line[tap &+ 6]), weight)
                    s2.addProduct(V(repeating: line[tap &+ 12]), weight)
                    s3.addProduct(V(repeating: line[tap &+ 18]), weight)
                }
            }
            let target = output + (x &* channels &+ channel)
            target.store(s0.relu6()); (target + channels).store(s1.relu6())
            (target + 2 &* channels).store(s2.relu6()); (target + 3 &* channels).store(s3.relu6())
            x += 4
        }
        while x < outputSide {
            let kernelColumns = min(3, size &- 2 &* x)
            var sum = b
            let corner = input + (2 &* y &* size &+ 2 &* x) &* 3
            for ky in 0..<kernelRows {
                for tap in 0..<(kernelColumns &* 3) {
                    sum.addProduct(V(repeating: corner[ky &* rowLength &+ tap]), (w + (ky &* 9 &+ tap) &* channels).vector())
                }
            }
            (output + (x &* channels &+ channel)).store(sum.relu6())
            x += 1
        }
    }
}
