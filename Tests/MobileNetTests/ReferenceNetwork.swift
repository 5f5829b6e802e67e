import Foundation
import HDF5

/// A plain, loop-by-loop MobileNet v1 written from the Keras layer definitions, reading the weight
/// file itself: the independent reference for width multipliers that have no golden outputs.
/// Batch norm is applied as its own step (not folded) and sums are taken in Double.
struct ReferenceNetwork {
    private let root: HDF5Group

    init(path: String) throws {
        root = try HDF5File.openReadOnly(path).root
    }

    /// Pooled features of one 224×224×3 image.
    func pooledFeatures(_ image: [Float]) throws -> [Float] {
        var (x, side, channels) = try firstLayer(image)
        let strides = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1]
        for (index, stride) in strides.enumerated() {
            (x, side) = try depthwise(x, side: side, channels: channels, stride: stride, layer: "conv_dw_\(index + 1)")
            (x, channels) = try pointwise(x, pixels: side * side, channels: channels, layer: "conv_pw_\(index + 1)")
        }
        return (0..<channels).map { c in
            Float((0..<(side * side)).reduce(0.0) { $0 + Double(x[$1 * channels + c]) } / Double(side * side))
        }
    }

    private func weights(_ layer: String, _ name: String) throws -> FloatArray {
        try root.readFloats("\(layer)/\(layer)/\(name)")
    }

    /// Batch norm (epsilon 1e-3) then ReLU6 of `value` in channel `c`.
    private func normalise(_ value: Double, _ c: Int, _ bn: [[Float]]) -> Float {
        let normalised = (value - Double(bn[2][c])) / (Double(bn[3][c]) + 1e-3).squareRoot() * Double(bn[0][c]) + Double(bn[1][c])
        return Float(min(max(normalised, 0), 6))
    }

    private func batchNorm(_ layer: String) throws -> [[Float]] {
        try ["gamma:0", "beta:0", "moving_mean:0", "moving_variance:0"].map { try weights(layer, $0).values }
    }

    private func firstLayer(_ image: [Float]) throws -> ([Float], Int, Int) {
        let kernel = try weights("conv1", "kernel:0"), bn = try batchNorm("conv1_bn")
        let filters = kernel.shape[3], side = 112
        var out = [Float](repeating: 0, count: side * side * filters)
        for y in 0..<side {
            for x in 0..<side {
                for f in 0..<filters {
                    var sum = 0.0
                    for ky in 0..<3 {
                        for kx in 0..<3 {
                            let iy = 2 * y + ky, ix = 2 * x + kx
                            guard iy < 224, ix < 224 else { continue }  // padding at the bottom/right only
                            for c in 0..<3 {
                                sum += Double(image[(iy * 224 + ix) * 3 + c]) * Double(kernel.values[((ky * 3 + kx) * 3 + c) * filters + f])
                            }
                        }
                    }
                    out[(y * side + x) * filters + f] = normalise(sum, f, bn)
                }
            }
        }
        return (out, side, filters)
    }

    private func depthwise(_ input: [Float], side: Int, channels: Int, stride: Int, layer: String) throws -> ([Float], Int) {
        let kernel = try weights(layer, "depthwise_kernel:0").values, bn = try batchNorm(layer + "_bn")
        let outSide = stride == 1 ? side : side / 2, before = stride == 1 ? 1 : 0
        var out = [Float](repeating: 0, count: outSide * outSide * channels)
        for y in 0..<outSide {
            for x in 0..<outSide {
                for c in 0..<channels {
                    var sum = 0.0
                    for ky in 0..<3 {
                        for kx in 0..<3 {
                            let iy = y * stride + ky - before, ix = x * stride + kx - before
                            guard iy >= 0, iy < side, ix >= 0, ix < side else { continue }
                            sum += Double(input[(iy * side + ix) * channels + c]) * Double(kernel[(ky * 3 + kx) * channels + c])
                        }
                    }
                    out[(y * outSide + x) * channels + c] = normalise(sum, c, bn)
                }
            }
        }
        return (out, outSide)
    }

    private func pointwise(_ input: [Float], pixels: Int, channels: Int, layer: String) throws -> ([Float], Int) {
        let kernel = try weights(layer, "kernel:0"), bn = try batchNorm(layer + "_bn")
        let filters = kernel.shape[3]
        var out = [Float](repeating: 0, count: pixels * filters)
        kernel.values.withUnsafeBufferPointer { w in
            for p in 0..<pixels {
                var sums = [Double](repeating: 0, count: filters)
                for c in 0..<channels {
                    let value = Double(input[p * channels + c])
                    if value == 0 { continue }
                    for f in 0..<filters { sums[f] += value * Double(w[c * filters + f]) }
                }
                for f in 0..<filters { out[p * filters + f] = normalise(sums[f], f, bn) }
            }
        }
        return (out, filters)
    }
}
