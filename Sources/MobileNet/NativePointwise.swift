/// 1x1 convolution + bias + ReLU6 as a matrix product written for this network: the weights are
/// packed once into panels of 32 output channels, and each 7-pixel × 32-channel tile of the output
/// is accumulated in registers over all input channels, then biased, clamped and stored. Nothing is
/// packed per call and the output is written once (no zeroing pass, no separate bias pass).
///
/// Seven rows fit every layer exactly (all sides are 7·2^k); other counts fall back to single rows.
enum NativePointwise {
    static let panelWidth = 32

    /// Repacks `[K][N]` weights into panels `[N/32][K][32]` (a final panel of 16 when N % 32 == 16).
    /// N must be a multiple of 16 (true for every published width multiplier from block 1 on).
    static func pack(_ weights: [Float], inputChannels: Int, outputChannels: Int) -> [Float] {
        var packed = [Float](repeating: 0, count: weights.count)
        var index = 0
        for panel in stride(from: 0, to: outputChannels, by: panelWidth) {
            let width = min(panelWidth, outputChannels - panel)
            for k in 0..<inputChannels {
                for column in 0..<width {
                    packed[index] = weights[k * outputChannels + panel + column]
                    index += 1
                }
            }
        }
        return packed
    }

    /// Output pixels `pixels` and channels `columns` (cut at multiples of 32) of a layer with
    /// `inputChannels` → `outputChannels`; `packed` comes from `pack`.
    static func run(_ input: UnsafePointer<Float>, inputChannels: Int, outputChannels: Int,
                    packed: UnsafePointer<Float>, bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                    pixels: Range<Int>, columns: Range<Int>) {
        let k = inputChannels, n = outputChannels
        // Rows per block: their inputs (rows × K floats, up to 512 KB) stay in L2 while every panel
        // passes over them.
        let blockRows = max(7, (131_072 / k) / 7 * 7)
        var start = pixels.lowerBound
        while start < pixels.upperBound {
            let end = min(pixels.upperBound, start + blockRows)
            var panel = columns.lowerBound
            while panel < columns.upperBound {
                let width = min(panelWidth, columns.upperBound - panel)
                let weights = packed + panel * k, panelBias = bias + panel
                var row = start
                if width == 32 {
                    while row + 7 <= end {
                        tile7x32(input + row * k, k, weights, panelBias, output + row * n + panel, n)
                        row += 7
                    }
                    while row < end { tile1x32(input + row * k, k, weights, panelBias, output + row * n + panel); row += 1 }
                } else {
                    while row + 7 <= end {
                        tile7x16(input + row * k, k, weights, panelBias, output + row * n + panel, n)
                        row += 7
                    }
                    while row < end { tile1x16(input + row * k, k, weights, panelBias, output + row * n + panel); row += 1 }
                }
                panel += width
            }
            start = end
        }
    }

    // MARK: - Tiles

    /// Two accumulators: one output row × 32 channels.
    private struct Pair {
        var low = SIMD16<Float>(), high = SIMD16<Float>()

        @inline(__always) mutating func add(_ x: Float, _ b0: SIMD16<Float>, _ b1: SIMD16<Float>) {
            let broadcast = SIMD16<Float>(repeating: x)
            low.addProduct(broadcast, b0)
            high.addProduct(broadcast, b1)
        }

        @_transparent func store(_ target: UnsafeMutablePointer<Float>, _ bias0: SIMD16<Float>, _ bias1: SIMD16<Float>) {
            target.store((low + bias0).relu6())
            (target + 16).store((high + bias1).relu6())
        }
    }

    @inline(never)
    private static func tile7x32(_ a: UnsafePointer<Float>, _ k: Int, _ b: UnsafePointer<Float>,
                                 _ bias: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var r0 = Pair(), r1 = Pair(), r2 = Pair(), r3 = Pair(), r4 = Pair(), r5 = Pair(), r6 = Pair()
        let a0 = a, a1 = a + k, a2 = a + 2 &* k, a3 = a + 3 &* k, a4 = a + 4 &* k, a5 = a + 5 &* k, a6 = a + 6 &* k
        var weights = b
        for i in 0..<k {
            let b0: SIMD16<Float> = weights.vector(), b1: SIMD16<Float> = (weights + 16).vector()
            r0.add(a0[i], b0, b1); r1.add(a1[i], b0, b1); r2.add(a2[i], b0, b1); r3.add(a3[i], b0, b1)
            r4.add(a4[i], b0, b1); r5.add(a5[i], b0, b1); r6.add(a6[i], b0, b1)
            weights += 32
        }
        let bias0: SIMD16<Float> = bias.vector(), bias1: SIMD16<Float> = (bias + 16).vector()
        r0.store(c, bias0, bias1); r1.store(c + ldc, bias0, bias1); r2.store(c + 2 &* ldc, bias0, bias1)
        r3.store(c + 3 &* ldc, bias0, bias1); r4.store(c + 4 &* ldc, bias0, bias1)
        r5.store(c + 5 &* ldc, bias0, bias1); r6.store(c + 6 &* ldc, bias0, bias1)
    }

    @inline(never)
    private static func tile7x16(_ a: UnsafePointer<Float>, _ k: Int, _ b: UnsafePointer<Float>,
                                 _ bias: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var r0 = SIMD16<Float>(), r1 = r0, r2 = r0, r3 = r0, r4 = r0, r5 = r0, r6 = r0
        let a0 = a, a1 = a + k, a2 = a + 2 &* k, a3 = a + 3 &* k, a4 = a + 4 &* k, a5 = a + 5 &* k, a6 = a + 6 &* k
        var weights = b
        for i in 0..<k {
            let b0: SIMD16<Float> = weights.vector()
            r0.addProduct(SIMD16(repeating: a0[i]), b0); r1.addProduct(SIMD16(repeating: a1[i]), b0)
            r2.addProduct(SIMD16(repeating: a2[i]), b0); r3.addProduct(SIMD16(repeating: a3[i]), b0)
            r4.addProduct(SIMD16(repeating: a4[i]), b0); r5.addProduct(SIMD16(repeating: a5[i]), b0)
            r6.addProduct(SIMD16(repeating: a6[i]), b0)
            weights += 16
        }
        let b: SIMD16<Float> = bias.vector()
        c.store((r0 + b).relu6()); (c + ldc).store((r1 + b).relu6()); (c + 2 &* ldc).store((r2 + b).relu6())
        (c + 3 &* ldc).store((r3 + b).relu6()); (c + 4 &* ldc).store((r4 + b).relu6())
        (c + 5 &* ldc).store((r5 + b).relu6()); (c + 6 &* ldc).store((r6 + b).relu6())
    }

    private static func tile1x32(_ a: UnsafePointer<Float>, _ k: Int, _ b: UnsafePointer<Float>,
                                 _ bias: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
        var r = Pair()
        for i in 0..<k { r.add(a[i], (b + 32 &* i).vector(), (b + 32 &* i + 16).vector()) }
        r.store(c, bias.vector(), (bias + 16).vector())
    }

    private static func tile1x16(_ a: UnsafePointer<Float>, _ k: Int, _ b: UnsafePointer<Float>,
                                 _ bias: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
        var r = SIMD16<Float>()
        for i in 0..<k { r.addProduct(SIMD16(repeating: a[i]), (b + 16 &* i).vector()) }
        c.store((r + bias.vector()).relu6())
    }
}
