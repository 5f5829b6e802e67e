/// The first layer: 3x3 stride-2 convolution of the RGB image + bias + ReLU6, computed directly
/// (no im2col), vectorised over output channels. Pads one row/column at the bottom/right only.
///
/// Four output pixels are computed together so that four accumulator chains run in parallel and
/// each weight vector is loaded once for all four. (The output side, 112, is at least 4.)
enum FirstConvolution {
    /// Computes output rows `rows` of one `size`×`size`×3 image into `output`, which holds
    /// `outputRows` rows (row y at slot y % outputRows). `weights` is `[3][3][3][C]`.
    static func run(_ input: UnsafePointer<Float>, size: Int, channels: Int,
                    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                    output: UnsafeMutablePointer<Float>, outputRows: Int, rows: Range<Int>) {
        let outputSide = Architecture.outputSide(size, stride: 2)
        for y in rows {
            let target = output + (y % outputRows) &* outputSide &* channels
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
        let kernelRows = min(3, size &- 2 &* y)  // 2 on the last row of an even side: bottom padding
        let rowLength = size &* 3
        // Four pixels at a time; the last block slides back to end at the row's end, and its last
        // pixel may reach into the right padding (its taps there are skipped).
        var x = 0
        while x < outputSide {
            let start = min(x, outputSide &- 4)
            let lastTaps = min(3, size &- 2 &* (start &+ 3)) &* 3
            var s0 = b, s1 = b, s2 = b, s3 = b
            let corner = input + (2 &* y &* size &+ 2 &* start) &* 3
            for ky in 0..<kernelRows {
                let line = corner + ky &* rowLength
                for tap in 0..<9 {  // 3 columns × 3 input channels, contiguous in NHWC
                    let weight: V = (w + (ky &* 9 &+ tap) &* channels).vector()
                    s0.addProduct(V(repeating: line[tap]), weight)
                    s1.addProduct(V(repeating: line[tap &+ 6]), weight)
                    s2.addProduct(V(repeating: line[tap &+ 12]), weight)
                    s3.addProduct(V(repeating: tap < lastTaps ? line[tap &+ 18] : 0), weight)
                }
            }
            let target = output + (start &* channels &+ channel)
            target.store(s0.relu6()); (target + channels).store(s1.relu6())
            (target + 2 &* channels).store(s2.relu6()); (target + 3 &* channels).store(s3.relu6())
            x = start &+ 4
        }
    }
}
