import CBLAS

/// Runs MobileNet v1 on batches of images. Owns its scratch buffers, so use one per thread.
public final class FeatureExtractor {
    public let model: MobileNetModel
    public let maxBatch: Int
    private let plan: NetworkPlan
    private let first: UnsafeMutablePointer<Float>
    private let second: UnsafeMutablePointer<Float>
    private let zeros: UnsafeMutablePointer<Float>

    /// Prepares buffers for up to `maxBatch` images per pass; larger requests run in chunks.
    public init(model: MobileNetModel, maxBatch: Int = 32) {
        self.model = model
        self.maxBatch = max(1, maxBatch)
        plan = NetworkPlan(model)
        first = Self.allocate(plan.largestOutput * self.maxBatch)
        second = Self.allocate(plan.largestOutput * self.maxBatch)
        zeros = Self.allocate(plan.widestRow)
        zeros.initialize(repeating: 0, count: plan.widestRow)
    }

    deinit {
        for buffer in [first, second, zeros] { buffer.deallocate() }
    }

    /// `count` NHWC images (inputSize×inputSize×3 floats each, already scaled to x/127.5-1).
    /// Returns count×featureDimension floats, each row L2-normalised.
    public func embed(_ input: UnsafePointer<Float>, count: Int) -> [Float] {
        var features = pooledFeatures(input, count: count)
        let dimension = model.featureDimension
        features.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<count {
                let vector = UnsafeMutableBufferPointer(rebasing: buffer[row * dimension ..< (row + 1) * dimension])
                let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
                if norm > 0 { for index in vector.indices { vector[index] /= norm } }
            }
        }
        return features
    }

    /// `count` images in, count×featureDimension globally average-pooled values out (not normalised).
    public func pooledFeatures(_ input: UnsafePointer<Float>, count: Int) -> [Float] {
        let dimension = model.featureDimension
        var features = [Float](repeating: 0, count: count * dimension)
        features.withUnsafeMutableBufferPointer { buffer in
            var start = 0
            while start < count {
                let chunk = min(maxBatch, count - start)
                let last = run(input + start * plan.inputCount, count: chunk, through: plan.steps.count - 1)
                let step = plan.steps[plan.steps.count - 1]
                averagePool(last, images: chunk, pixels: step.height * step.width, channels: step.channels,
                            into: buffer.baseAddress! + start * dimension)
                start += chunk
            }
        }
        return features
    }

    /// The activation after the ReLU6 of a named layer (`conv1_relu`, `conv_dw_1_relu`,
    /// `conv_pw_6_relu`, ...), `[H][W][C]` for image 0 of `input`.
    public func activation(_ input: UnsafePointer<Float>, after layer: String) throws -> [Float] {
        guard let index = plan.steps.firstIndex(where: { $0.name == layer }) else {
            throw MobileNetError.unknownLayer(layer)
        }
        let output = run(input, count: 1, through: index)
        return Array(UnsafeBufferPointer(start: output, count: plan.steps[index].outputCount))
    }

    /// Runs steps 0...`last` on `count` ≤ maxBatch images; returns the buffer holding the result.
    private func run(_ input: UnsafePointer<Float>, count: Int, through last: Int) -> UnsafeMutablePointer<Float> {
        var source = UnsafePointer(input)
        var sourceCount = plan.inputCount
        var target = first
        for step in plan.steps[0...last] {
            let outputCount = step.outputCount
            switch step.kind {
            case .first(let layer):
                layer.weights.withUnsafeBufferPointer { weights in
                    layer.bias.withUnsafeBufferPointer { bias in
                        for image in 0..<count {
                            FirstConvolution.run(source + image * sourceCount, size: plan.inputSize,
                                                 channels: step.channels, weights: weights.baseAddress!,
                                                 bias: bias.baseAddress!, output: target + image * outputCount,
                                                 rows: 0..<step.height)
                        }
                    }
                }
            case .depthwise(let layer, let geometry):
                layer.weights.withUnsafeBufferPointer { weights in
                    layer.bias.withUnsafeBufferPointer { bias in
                        for image in 0..<count {
                            DepthwiseConvolution.run(source + image * sourceCount, geometry,
                                                     weights: weights.baseAddress!, bias: bias.baseAddress!,
                                                     zeros: zeros, output: target + image * outputCount,
                                                     rows: 0..<step.height)
                        }
                    }
                }
            case .pointwise(let layer):
                layer.weights.withUnsafeBufferPointer { weights in
                    layer.bias.withUnsafeBufferPointer { bias in
                        PointwiseConvolution.run(source, pixels: count * step.height * step.width,
                                                 inputChannels: layer.inputChannels, outputChannels: step.channels,
                                                 weights: weights.baseAddress!, bias: bias.baseAddress!, output: target)
                    }
                }
            }
            source = UnsafePointer(target)
            sourceCount = outputCount
            target = target == first ? second : first
        }
        return UnsafeMutablePointer(mutating: source)
    }

    private func averagePool(_ data: UnsafePointer<Float>, images: Int, pixels: Int, channels: Int,
                             into output: UnsafeMutablePointer<Float>) {
        let scale = 1 / Float(pixels)
        for image in 0..<images {
            let out = output + image * channels
            out.initialize(repeating: 0, count: channels)
            for pixel in 0..<pixels {
                let row = data + (image * pixels + pixel) * channels
                for c in 0..<channels { out[c] += row[c] }
            }
            for c in 0..<channels { out[c] *= scale }
        }
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(1, count))
    }
}
