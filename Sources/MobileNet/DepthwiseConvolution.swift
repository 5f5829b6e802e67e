/// 3x3 depthwise convolution + bias + ReLU6 on one NHWC image, vectorised over channels.
///
/// Stride 1 pads one pixel on every side; stride 2 pads one row at the bottom and one column at the
/// right only (Keras `ZeroPadding2D(((0, 1), (0, 1)))` then a valid convolution). Channel counts are
/// multiples of 8 for every published width multiplier.
///
/// Interior pixels are computed four at a time: four independent accumulator chains (one chain of
/// nine dependent FMAs would wait on latency) that share the input columns they load. Each stride
/// has its own specialised loop.
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
        if geometry.stride == 1 {
            run(StrideOne.self, input, geometry, weights, bias, zeros, output, rows)
        } else {
            run(StrideTwo.self, input, geometry, weights, bias, zeros, output, rows)
        }
    }

    private typealias Rows = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)

    private static func run<S: KernelStride>(_: S.Type, _ input: UnsafePointer<Float>, _ geometry: Geometry,
                                             _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                             _ zeros: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                                             _ rows: Range<Int>) {
        let c = geometry.channels
        let rowLength = geometry.width &* c, outputRowLength = geometry.outputWidth &* c
        func inputRow(_ row: Int) -> UnsafePointer<Float> {
            row >= 0 && row < geometry.height ? input + row &* rowLength : zeros
        }
        let interior = geometry.interior
        for y in rows {
            let top = y &* S.step &- geometry.leading
            let source: Rows = (inputRow(top), inputRow(top &+ 1), inputRow(top &+ 2))
            let target = output + y &* outputRowLength
            // Pixel by pixel at the borders, four at a time inside; all channels of a pixel block
            // before the next, so the input is read in address order.
            var x = 0
            while x < interior.lowerBound { single(source, geometry, x, weights, bias, target); x += 1 }
            while x + 4 <= interior.upperBound {
                let offset = (x &* S.step &- geometry.leading) &* c
                let window: Rows = (source.0 + offset, source.1 + offset, source.2 + offset)
                var channel = 0
                while channel + 16 <= c {
                    four(S.self, SIMD16<Float>.self, window, c, channel, weights, bias, target + (x &* c))
                    channel += 16
                }
                if channel < c { four(S.self, SIMD8<Float>.self, window, c, channel, weights, bias, target + (x &* c)) }
                x += 4
            }
            while x < geometry.outputWidth { single(source, geometry, x, weights, bias, target); x += 1 }
        }
    }

    /// Four neighbouring output pixels, channels `channel ..< channel + V.scalarCount`; `window` points
    /// at the leftmost input column of each kernel row.
    @inline(__always)
    private static func four<S: KernelStride, V: FloatVector>(_: S.Type, _: V.Type, _ window: Rows, _ c: Int, _ channel: Int,
                                                             _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                                             _ target: UnsafeMutablePointer<Float>) {
        let w = weights + channel
        let b: V = (bias + channel).vector()
        var sums = (b, b, b, b)
        S.accumulate(window.0 + channel, c, (w.vector(), (w + c).vector(), (w + 2 &* c).vector()), &sums)
        S.accumulate(window.1 + channel, c, ((w + 3 &* c).vector(), (w + 4 &* c).vector(), (w + 5 &* c).vector()), &sums)
        S.accumulate(window.2 + channel, c, ((w + 6 &* c).vector(), (w + 7 &* c).vector(), (w + 8 &* c).vector()), &sums)
        let out = target + channel
        out.store(sums.0.relu6()); (out + c).store(sums.1.relu6())
        (out + 2 &* c).store(sums.2.relu6()); (out + 3 &* c).store(sums.3.relu6())
    }

    /// One output pixel (any position), all channels, skipping the taps that fall on padding.
    private static func single(_ source: Rows, _ geometry: Geometry, _ x: Int, _ weights: UnsafePointer<Float>,
                               _ bias: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>) {
        let c = geometry.channels
        let left = x &* geometry.stride &- geometry.leading
        var channel = 0
        while channel < c {
            var sum: SIMD8<Float> = (bias + channel).vector()
            for r in 0..<3 {
                let row = r == 0 ? source.0 : r == 1 ? source.1 : source.2
                for k in 0..<3 where left + k >= 0 && left + k < geometry.width {
                    sum.addProduct((row + ((left &+ k) &* c &+ channel)).vector(), (weights + ((r &* 3 &+ k) &* c &+ channel)).vector())
                }
            }
            (target + (x &* c &+ channel)).store(sum.relu6())
            channel += 8
        }
    }
}

/// How the four-pixel kernel walks the input for one stride.
private protocol KernelStride {
    static var step: Int { get }
    /// Adds one kernel row's contribution (taps `k`) to four neighbouring output pixels whose input
    /// window starts at `a`.
    static func accumulate<V: FloatVector>(_ a: UnsafePointer<Float>, _ c: Int, _ k: (V, V, V), _ sums: inout (V, V, V, V))
}

/// Stride 1: the four pixels read six neighbouring columns.
private enum StrideOne: KernelStride {
    static var step: Int { 1 }

    @inline(__always)
    static func accumulate<V: FloatVector>(_ a: UnsafePointer<Float>, _ c: Int, _ k: (V, V, V), _ s: inout (V, V, V, V)) {
        let c0: V = a.vector(), c1: V = (a + c).vector(), c2: V = (a + 2 &* c).vector()
        let c3: V = (a + 3 &* c).vector(), c4: V = (a + 4 &* c).vector(), c5: V = (a + 5 &* c).vector()
        s.0.addProduct(c0, k.0); s.1.addProduct(c1, k.0); s.2.addProduct(c2, k.0); s.3.addProduct(c3, k.0)
        s.0.addProduct(c1, k.1); s.1.addProduct(c2, k.1); s.2.addProduct(c3, k.1); s.3.addProduct(c4, k.1)
        s.0.addProduct(c2, k.2); s.1.addProduct(c3, k.2); s.2.addProduct(c4, k.2); s.3.addProduct(c5, k.2)
    }
}

/// Stride 2: the four pixels read nine neighbouring columns.
private enum StrideTwo: KernelStride {
    static var step: Int { 2 }

    @inline(__always)
    static func accumulate<V: FloatVector>(_ a: UnsafePointer<Float>, _ c: Int, _ k: (V, V, V), _ s: inout (V, V, V, V)) {
        let c0: V = a.vector(), c1: V = (a + c).vector(), c2: V = (a + 2 &* c).vector()
        let c3: V = (a + 3 &* c).vector(), c4: V = (a + 4 &* c).vector(), c5: V = (a + 5 &* c).vector()
        let c6: V = (a + 6 &* c).vector(), c7: V = (a + 7 &* c).vector(), c8: V = (a + 8 &* c).vector()
        s.0.addProduct(c0, k.0); s.1.addProduct(c2, k.0); s.2.addProduct(c4, k.0); s.3.addProduct(c6, k.0)
        s.0.addProduct(c1, k.1); s.1.addProduct(c3, k.1); s.2.addProduct(c5, k.1); s.3.addProduct(c7, k.1)
        s.0.addProduct(c2, k.2); s.1.addProduct(c4, k.2); s.2.addProduct(c6, k.2); s.3.addProduct(c8, k.2)
    }
}
