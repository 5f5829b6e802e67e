/// 3x3 depthwise convolution + bias + ReLU6 on one NHWC image, vectorised over channels.
///
/// Stride 1 pads one pixel on every side; stride 2 pads one row at the bottom and one column at the
/// right only (Keras `ZeroPadding2D(((0, 1), (0, 1)))` then a valid convolution). Channel counts are
/// multiples of 8 for every published width multiplier.
///
/// Pixels are computed four at a time: four independent accumulator chains (one chain of nine
/// dependent FMAs would wait on latency) that share the input columns they load. Each stride has its
/// own specialised loop.
enum DepthwiseConvolution {
    struct Geometry {
        let height: Int, width: Int, channels: Int, stride: Int
        var outputHeight: Int { Architecture.outputSide(height, stride: stride) }
        var outputWidth: Int { Architecture.outputSide(width, stride: stride) }
        /// Rows/columns of padding before the first pixel.
        var leading: Int { stride == 1 ? 1 : 0 }
    }

    /// Computes output rows `rows` into `output`, which holds row `rows.lowerBound` first. `input`
    /// holds `inputRows` rows, input row r at slot r % inputRows (a ring, or the whole layer).
    /// `weights` is `[3][3][C]`, `zeros` at least `width × channels` zeros.
    static func run(_ input: UnsafePointer<Float>, inputRows: Int, _ geometry: Geometry,
                    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, zeros: UnsafePointer<Float>,
                    output: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        if geometry.stride == 1 {
            run(StrideOne.self, input, inputRows, geometry, weights, bias, zeros, output, rows)
        } else {
            run(StrideTwo.self, input, inputRows, geometry, weights, bias, zeros, output, rows)
        }
    }

    private typealias Rows = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)

    private static func run<S: KernelStride>(_: S.Type, _ input: UnsafePointer<Float>, _ inputRows: Int, _ geometry: Geometry,
                                             _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                             _ zeros: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                                             _ rows: Range<Int>) {
        let c = geometry.channels, width = geometry.width, outputWidth = geometry.outputWidth
        let rowLength = width &* c, outputRowLength = outputWidth &* c
        let span = 3 &* S.step &+ 3  // input columns read by four neighbouring output pixels
        func inputRow(_ row: Int) -> UnsafePointer<Float> {
            row >= 0 && row < geometry.height ? input + (row % inputRows) &* rowLength : zeros
        }
        for y in rows {
            let top = y &* S.step &- geometry.leading
            let source: Rows = (inputRow(top), inputRow(top &+ 1), inputRow(top &+ 2))
            let target = output + (y &- rows.lowerBound) &* outputRowLength
            // Four pixels at a time, all channels of a block before the next (the input is read in
            // address order). The last block slides back to end at the row's end (every layer is at
            // least 7 pixels wide).
            var x = 0
            while x < outputWidth {
                let start = min(x, outputWidth &- 4)
                let left = start &* S.step &- geometry.leading
                let out = target + start &* c
                // A block at an edge reads one padding column: the first (left, stride 1) or the last.
                let edge = Edge(skipFirst: left < 0, skipLast: left &+ span > width)
                var channel = 0
                while channel + 16 <= c {
                    let offset = left &* c &+ channel
                    let window: Rows = (source.0 + offset, source.1 + offset, source.2 + offset)
                    four(S.self, SIMD16<Float>.self, window, edge, c, channel, weights, bias, out)
                    channel += 16
                }
                if channel < c {
                    let offset = left &* c &+ channel
                    let window: Rows = (source.0 + offset, source.1 + offset, source.2 + offset)
                    four(S.self, SIMD8<Float>.self, window, edge, c, channel, weights, bias, out)
                }
                x = start &+ 4
            }
        }
    }

    /// Four neighbouring output pixels, channels `channel ..< channel + V.scalarCount`; `window` points
    /// at the leftmost input column of each kernel row (at `channel`).
    @inline(__always)
    private static func four<S: KernelStride, V: FloatVector>(_: S.Type, _: V.Type, _ window: Rows, _ edge: Edge,
                                                             _ c: Int, _ channel: Int, _ weights: UnsafePointer<Float>,
                                                             _ bias: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>) {
        let w = weights + channel
        let b: V = (bias + channel).vector()
        var sums = (b, b, b, b)
        S.accumulate(window.0, c, (w.vector(), (w + c).vector(), (w + 2 &* c).vector()), edge, &sums)
        S.accumulate(window.1, c, ((w + 3 &* c).vector(), (w + 4 &* c).vector(), (w + 5 &* c).vector()), edge, &sums)
        S.accumulate(window.2, c, ((w + 6 &* c).vector(), (w + 7 &* c).vector(), (w + 8 &* c).vector()), edge, &sums)
        let out = target + channel
        out.store(sums.0.relu6()); (out + c).store(sums.1.relu6())
        (out + 2 &* c).store(sums.2.relu6()); (out + 3 &* c).store(sums.3.relu6())
    }
}

/// Which end column of a four-pixel window lies in the padding (and reads as zero).
private struct Edge {
    let skipFirst: Bool
    let skipLast: Bool

    /// Column `index` of `count` at `pointer`, or zero if it is a padding column.
    @inline(__always) func column<V: FloatVector>(_ pointer: UnsafePointer<Float>, _ index: Int, of count: Int) -> V {
        (index == 0 && skipFirst) || (index == count - 1 && skipLast) ? V(repeating: 0) : pointer.vector()
    }
}

/// How the four-pixel kernel walks the input for one stride.
private protocol KernelStride {
    static var step: Int { get }
    /// Adds one kernel row's contribution (taps `k`) to four neighbouring output pixels whose input
    /// window starts at `a`, columns `c` floats apart.
    static func accumulate<V: FloatVector>(_ a: UnsafePointer<Float>, _ c: Int, _ k: (V, V, V), _ edge: Edge,
                                           _ sums: inout (V, V, V, V))
}

/// Stride 1: the four pixels read six neighbouring columns.
private enum StrideOne: KernelStride {
    static var step: Int { 1 }

    @inline(__always)
    static func accumulate<V: FloatVector>(_ a: UnsafePointer<Float>, _ c: Int, _ k: (V, V, V), _ edge: Edge,
                                           _ s: inout (V, V, V, V)) {
        let c0: V = edge.column(a, 0, of: 6), c1: V = (a + c).vector(), c2: V = (a + 2 &* c).vector()
        let c3: V = (a + 3 &* c).vector(), c4: V = (a + 4 &* c).vector(), c5: V = edge.column(a + 5 &* c, 5, of: 6)
        s.0.addProduct(c0, k.0); s.1.addProduct(c1, k.0); s.2.addProduct(c2, k.0); s.3.addProduct(c3, k.0)
        s.0.addProduct(c1, k.1); s.1.addProduct(c2, k.1); s.2.addProduct(c3, k.1); s.3.addProduct(c4, k.1)
        s.0.addProduct(c2, k.2); s.1.addProduct(c3, k.2); s.2.addProduct(c4, k.2); s.3.addProduct(c5, k.2)
    }
}

/// Stride 2: the four pixels read nine neighbouring columns.
private enum StrideTwo: KernelStride {
    static var step: Int { 2 }

    @inline(__always)
    static func accumulate<V: FloatVector>(_ a: UnsafePointer<Float>, _ c: Int, _ k: (V, V, V), _ edge: Edge,
                                           _ s: inout (V, V, V, V)) {
        let c0: V = edge.column(a, 0, of: 9), c1: V = (a + c).vector(), c2: V = (a + 2 &* c).vector()
        let c3: V = (a + 3 &* c).vector(), c4: V = (a + 4 &* c).vector(), c5: V = (a + 5 &* c).vector()
        let c6: V = (a + 6 &* c).vector(), c7: V = (a + 7 &* c).vector(), c8: V = edge.column(a + 8 &* c, 8, of: 9)
        s.0.addProduct(c0, k.0); s.1.addProduct(c2, k.0); s.2.addProduct(c4, k.0); s.3.addProduct(c6, k.0)
        s.0.addProduct(c1, k.1); s.1.addProduct(c3, k.1); s.2.addProduct(c5, k.1); s.3.addProduct(c7, k.1)
        s.0.addProduct(c2, k.2); s.1.addProduct(c4, k.2); s.2.addProduct(c6, k.2); s.3.addProduct(c8, k.2)
    }
}
