/// 3x3 depthwise convolution + bias + ReLU6 on one NHWC image, vectorised over channels.
///
/// Stride 1 pads one pixel on every side; stride 2 pads one row at the bottom and one column at the
/// right only (Keras `ZeroPadding2D(((0, 1), (0, 1)))` then a valid convolution). Channel counts are
/// multiples of 8 for every published width multiplier.
///
/// Interior pixels are computed four at a time: four independent accumulator chains (one chain of
/// nine dependent FMAs would wait on latency) that share the input columns they load.
enum DepthwiseConvolution {
    struct Geometry {
        let height: Int, width: Int, channels: Int, stride: Int
        var outputHeight: Int { Architecture.outputSide(height, stride: stride) }
        var outputWidth: Int { Architecture.outputSide(width, stride: stride) }
        /// Rows/columns of padding before the first pixel.
        var leading: Int { stride == 1 ? 1 : 0 }
        /// Output columns whose three input columns all lie inside the image.
        var interior: Range<Int> {
            let first = leading  // stride 1: x = 0 reads column -1
            let last = (width - 3 + leading) / stride  // largest x with x·stride − leading + 2 < width
            return first..<max(first, last + 1)
        }
    }

    /// Computes output rows `rows`. `weights` is `[3][3][C]`, `zeros` at least `width × channels` zeros.
    static func run(_ input: UnsafePointer<Float>, _ geometry: Geometry,
                    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, zeros: UnsafePointer<Float>,
                    output: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        let rowLength = geometry.width &* geometry.channels
        let outputRowLength = geometry.outputWidth &* geometry.channels
        func inputRow(_ row: Int) -> UnsafePointer<Float> {
            row >= 0 && row < geometry.height ? input + row &* rowLength : zeros
        }
        let interior = geometry.interior
        for y in rows {
            let top = y &* geometry.stride &- geometry.leading
            let source = (inputRow(top), inputRow(top &+ 1), inputRow(top &+ 2))
            let target = output + y &* outputRowLength
            // Pixel by pixel at the borders, four pixels at a time inside; all channels of a pixel
            // block before the next, so the input is read in address order.
            var x = 0
            while x < geometry.outputWidth {
                let count = interior.contains(x) && x + 4 <= interior.upperBound ? 4 : 1
                var channel = 0
                while channel + 16 <= geometry.channels {
                    pixels(SIMD16<Float>.self, count, source, geometry, x, channel, weights, bias, target)
                    channel += 16
                }
                if channel < geometry.channels {
                    pixels(SIMD8<Float>.self, count, source, geometry, x, channel, weights, bias, target)
                }
                x += count
            }
        }
    }

    /// The nine taps of one channel group and its bias.
    private struct Taps<V: FloatVector> {
        let k: (V, V, V, V, V, V, V, V, V)
        let bias: V

        @inline(__always) init(_ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, channels c: Int) {
            let w = weights
            k = (w.vector(), (w + c).vector(), (w + 2 &* c).vector(), (w + 3 &* c).vector(), (w + 4 &* c).vector(),
                 (w + 5 &* c).vector(), (w + 6 &* c).vector(), (w + 7 &* c).vector(), (w + 8 &* c).vector())
            self.bias = bias.vector()
        }

        /// Taps of kernel row `r`.
        @inline(__always) func row(_ r: Int) -> (V, V, V) {
            r == 0 ? (k.0, k.1, k.2) : r == 1 ? (k.3, k.4, k.5) : (k.6, k.7, k.8)
        }
    }

    /// Output pixels `x ..< x + count` (count 4: all inside the image; count 1: any) for the channels
    /// `channel ..< channel + V.scalarCount`.
    @inline(__always)
    private static func pixels<V: FloatVector>(_: V.Type, _ count: Int,
                                               _ source: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
                                               _ geometry: Geometry, _ x: Int, _ channel: Int, _ weights: UnsafePointer<Float>,
                                               _ bias: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        let c = geometry.channels
        let taps = Taps<V>(weights + channel, bias + channel, channels: c)
        let rows = (source.0 + channel, source.1 + channel, source.2 + channel)
        let target = output + (x &* c &+ channel)
        guard count == 4 else { return single(taps, rows, geometry, x, target) }
        var s0 = taps.bias, s1 = taps.bias, s2 = taps.bias, s3 = taps.bias
        let left = x &* geometry.stride &- geometry.leading
        for r in 0..<3 {
            let a = (r == 0 ? rows.0 : r == 1 ? rows.1 : rows.2) + left &* c
            let (k0, k1, k2) = taps.row(r)
            if geometry.stride == 1 {
                let c0: V = a.vector(), c1: V = (a + c).vector(), c2: V = (a + 2 &* c).vector()
                let c3: V = (a + 3 &* c).vector(), c4: V = (a + 4 &* c).vector(), c5: V = (a + 5 &* c).vector()
                s0.addProduct(c0, k0); s1.addProduct(c1, k0); s2.addProduct(c2, k0); s3.addProduct(c3, k0)
                s0.addProduct(c1, k1); s1.addProduct(c2, k1); s2.addProduct(c3, k1); s3.addProduct(c4, k1)
                s0.addProduct(c2, k2); s1.addProduct(c3, k2); s2.addProduct(c4, k2); s3.addProduct(c5, k2)
            } else {
                let c0: V = a.vector(), c1: V = (a + c).vector(), c2: V = (a + 2 &* c).vector()
                let c3: V = (a + 3 &* c).vector(), c4: V = (a + 4 &* c).vector(), c5: V = (a + 5 &* c).vector()
                let c6: V = (a + 6 &* c).vector(), c7: V = (a + 7 &* c).vector(), c8: V = (a + 8 &* c).vector()
                s0.addProduct(c0, k0); s1.addProduct(c2, k0); s2.addProduct(c4, k0); s3.addProduct(c6, k0)
                s0.addProduct(c1, k1); s1.addProduct(c3, k1); s2.addProduct(c5, k1); s3.addProduct(c7, k1)
                s0.addProduct(c2, k2); s1.addProduct(c4, k2); s2.addProduct(c6, k2); s3.addProduct(c8, k2)
            }
        }
        target.store(s0.relu6()); (target + c).store(s1.relu6())
        (target + 2 &* c).store(s2.relu6()); (target + 3 &* c).store(s3.relu6())
    }

    /// One output pixel, skipping the taps that fall on padding columns.
    @inline(__always)
    private static func single<V: FloatVector>(_ taps: Taps<V>, _ rows: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
                                               _ geometry: Geometry, _ x: Int, _ target: UnsafeMutablePointer<Float>) {
        let c = geometry.channels
        let left = x &* geometry.stride &- geometry.leading
        var sum = taps.bias
        for r in 0..<3 {
            let a = r == 0 ? rows.0 : r == 1 ? rows.1 : rows.2
            let (k0, k1, k2) = taps.row(r)
            if left >= 0 { sum.addProduct((a + left &* c).vector(), k0) }
            sum.addProduct((a + (left &+ 1) &* c).vector(), k1)
            if left + 2 < geometry.width { sum.addProduct((a + (left &+ 2) &* c).vector(), k2) }
        }
        target.store(sum.relu6())
    }
}
