/// 1x1 convolution + bias + ReLU6 as a matrix product written for this network: the weights are
/// packed once into panels of 32 or 16 output channels (see `PointwiseTiling`), and each 7-pixel ×
/// panel tile of the output is accumulated in registers over the input channels, then biased,
/// clamped and stored. Nothing is packed per call and the output is written once (no zeroing pass,
/// no separate bias pass).
///
/// The inputs come out of a ReLU6, so many are exactly zero (39% of the multiply-adds on the golden
/// photos); for each 7-pixel tile the input channels that are zero in all seven pixels are listed
/// out once and skipped by every panel (16% of the work). Skipping exact zeros leaves every sum
/// bit for bit as it was.
///
/// Seven rows fit every layer exactly (all sides are 7·2^k); other counts fall back to single rows.
enum NativePointwise {
    /// Repacks `[K][N]` weights into panels `[N/W][K][W]` for W = `panelWidth` (a final panel of 16
    /// when N % 32 == 16). N must be a multiple of 16 (true for every published width multiplier from
    /// block 1 on).
    static func pack(_ weights: [Float], inputChannels: Int, outputChannels: Int, panelWidth: Int) -> [Float] {
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

    /// Rows per block: their inputs (rows × K floats, up to 512 KB) stay in L2 while every panel
    /// passes over them.
    static func blockRows(inputChannels k: Int) -> Int { max(7, (131_072 / max(1, k)) / 7 * 7) }

    /// Room `run` needs in its `channelLists` scratch for `inputChannels`.
    static func listCapacity(inputChannels k: Int) -> Int { (blockRows(inputChannels: k) / 7 + 1) * (k + 1) }

    /// Output pixels `pixels` and channels `columns` (cut at multiples of 32) of a layer with
    /// `inputChannels` → `outputChannels`. `input` holds pixel `pixels.lowerBound` first, `output`
    /// all pixels; `packed` comes from `pack` with `panelWidth`; `channelLists` has room for
    /// `listCapacity(inputChannels:)` entries. The inputs must not be negative (they are ReLU outputs).
    static func run(_ input: UnsafePointer<Float>, inputChannels: Int, outputChannels: Int,
                    packed: UnsafePointer<Float>, panelWidth: Int, bias: UnsafePointer<Float>,
                    output: UnsafeMutablePointer<Float>, pixels: Range<Int>, columns: Range<Int>,
                    channelLists: UnsafeMutablePointer<Int32>) {
        let k = inputChannels, n = outputChannels
        let blockRows = blockRows(inputChannels: k)
        var start = pixels.lowerBound
        while start < pixels.upperBound {
            let end = min(pixels.upperBound, start + blockRows)
            let tiles = (end - start) / 7
            // Per tile: the count, then the input channels not zero in all of its seven pixels.
            for tile in 0..<tiles {
                listChannels(input + (start - pixels.lowerBound + 7 * tile) * k, k, channelLists + tile * (k + 1))
            }
            var panel = columns.lowerBound
            while panel < columns.upperBound {
                let width = min(panelWidth, columns.upperBound - panel)
                let weights = packed + panel * k, panelBias = bias + panel
                for tile in 0..<tiles {
                    let row = start + 7 * tile, list = channelLists + tile * (k + 1)
                    if width == 32 {
                        tile7x32(input + (row - pixels.lowerBound) * k, k, list + 1, Int(list[0]), weights, panelBias, output + row * n + panel, n)
                    } else {
                        tile7x16(input + (row - pixels.lowerBound) * k, k, list + 1, Int(list[0]), weights, panelBias, output + row * n + panel, n)
                    }
                }
                for row in (start + 7 * tiles)..<end {
                    if width == 32 {
                        tile1x32(input + (row - pixels.lowerBound) * k, k, weights, panelBias, output + row * n + panel)
                    } else {
                        tile1x16(input + (row - pixels.lowerBound) * k, k, weights, panelBias, output + row * n + panel)
                    }
                }
                panel += width
            }
            start = end
        }
    }

    /// Writes to `list[0]` how many of the `k` input channels are not zero in at least one of the
    /// seven rows at `a`, and those channels to `list[1...]`. The values are ReLU outputs (never
    /// negative), so a channel is zero in all rows exactly when the rows' sum is zero.
    private static func listChannels(_ a: UnsafePointer<Float>, _ k: Int, _ list: UnsafeMutablePointer<Int32>) {
        let bits = SIMD8<Int32>(1, 2, 4, 8, 16, 32, 64, 128)
        var count = 0
        var i = 0
        while i + 8 <= k {
            var sum: SIMD8<Float> = (a + i).vector()
            for r in 1..<7 { sum += (a + (r &* k &+ i)).vector() }
            // The lanes with a nonzero sum as an 8-bit mask, then their indices, in order, from a table.
            let mask = Int(SIMD8<Int32>(repeating: 0).replacing(with: bits, where: sum .> 0).wrappedSum())
            let indices = compactedLanes[mask] &+ SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: i))
            UnsafeMutableRawPointer(list + (count &+ 1)).storeBytes(of: indices, as: SIMD8<Int32>.self)
            count &+= mask.nonzeroBitCount
            i += 8
        }
        while i < k {
            var sum: Float = 0
            for r in 0..<7 { sum += a[r &* k &+ i] }
            list[count &+ 1] = Int32(i)
            count &+= sum > 0 ? 1 : 0
            i += 1
        }
        list[0] = Int32(count)
    }

    /// For each 8-bit mask, the positions of its set bits, in order (the rest padded with zeros).
    private static let compactedLanes: [SIMD8<Int32>] = (0..<256).map { mask in
        var lanes = SIMD8<Int32>(repeating: 0), next = 0
        for bit in 0..<8 where mask & (1 << bit) != 0 {
            lanes[next] = Int32(bit)
            next += 1
        }
        return lanes
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

    /// Seven rows × 32 channels over the input channels in `channels` (`count` of them).
    @inline(never)
    private static func tile7x32(_ a: UnsafePointer<Float>, _ k: Int, _ channels: UnsafePointer<Int32>, _ count: Int,
                                 _ b: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                 _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var r0 = Pair(), r1 = Pair(), r2 = Pair(), r3 = Pair(), r4 = Pair(), r5 = Pair(), r6 = Pair()
        let a0 = a, a1 = a + k, a2 = a + 2 &* k, a3 = a + 3 &* k, a4 = a + 4 &* k, a5 = a + 5 &* k, a6 = a + 6 &* k
        for j in 0..<count {
            let i = Int(channels[j])
            let weights = b + i &* 32
            let b0: SIMD16<Float> = weights.vector(), b1: SIMD16<Float> = (weights + 16).vector()
            r0.add(a0[i], b0, b1); r1.add(a1[i], b0, b1); r2.add(a2[i], b0, b1); r3.add(a3[i], b0, b1)
            r4.add(a4[i], b0, b1); r5.add(a5[i], b0, b1); r6.add(a6[i], b0, b1)
        }
        let bias0: SIMD16<Float> = bias.vector(), bias1: SIMD16<Float> = (bias + 16).vector()
        r0.store(c, bias0, bias1); r1.store(c + ldc, bias0, bias1); r2.store(c + 2 &* ldc, bias0, bias1)
        r3.store(c + 3 &* ldc, bias0, bias1); r4.store(c + 4 &* ldc, bias0, bias1)
        r5.store(c + 5 &* ldc, bias0, bias1); r6.store(c + 6 &* ldc, bias0, bias1)
    }

    /// Seven rows × 16 channels over the input channels in `channels` (`count` of them), as four rows
    /// then three: seven rows at once need fourteen 8-wide accumulators, which with their operands
    /// do not fit AVX2's sixteen registers. Two passes read the weights twice but spill nothing.
    @inline(never)
    private static func tile7x16(_ a: UnsafePointer<Float>, _ k: Int, _ channels: UnsafePointer<Int32>, _ count: Int,
                                 _ b: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                 _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        tile4x16(a, k, channels, count, b, bias, c, ldc)
        tile3x16(a + 4 &* k, k, channels, count, b, bias, c + 4 &* ldc, ldc)
    }

    @inline(__always)
    private static func tile4x16(_ a: UnsafePointer<Float>, _ k: Int, _ channels: UnsafePointer<Int32>, _ count: Int,
                                _ b: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var r0 = SIMD16<Float>(), r1 = r0, r2 = r0, r3 = r0
        let a0 = a, a1 = a + k, a2 = a + 2 &* k, a3 = a + 3 &* k
        for j in 0..<count {
            let i = Int(channels[j])
            let b0: SIMD16<Float> = (b + i &* 16).vector()
            r0.addProduct(SIMD16(repeating: a0[i]), b0); r1.addProduct(SIMD16(repeating: a1[i]), b0)
            r2.addProduct(SIMD16(repeating: a2[i]), b0); r3.addProduct(SIMD16(repeating: a3[i]), b0)
        }
        let b: SIMD16<Float> = bias.vector()
        c.store((r0 + b).relu6()); (c + ldc).store((r1 + b).relu6()); (c + 2 &* ldc).store((r2 + b).relu6())
        (c + 3 &* ldc).store((r3 + b).relu6())
    }

    @inline(__always)
    private static func tile3x16(_ a: UnsafePointer<Float>, _ k: Int, _ channels: UnsafePointer<Int32>, _ count: Int,
                                _ b: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var r0 = SIMD16<Float>(), r1 = r0, r2 = r0
        let a0 = a, a1 = a + k, a2 = a + 2 &* k
        for j in 0..<count {
            let i = Int(channels[j])
            let b0: SIMD16<Float> = (b + i &* 16).vector()
            r0.addProduct(SIMD16(repeating: a0[i]), b0); r1.addProduct(SIMD16(repeating: a1[i]), b0)
            r2.addProduct(SIMD16(repeating: a2[i]), b0)
        }
        let b: SIMD16<Float> = bias.vector()
        c.store((r0 + b).relu6()); (c + ldc).store((r1 + b).relu6()); (c + 2 &* ldc).store((r2 + b).relu6())
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
