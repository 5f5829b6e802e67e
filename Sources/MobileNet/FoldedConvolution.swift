/// A bias-free convolution followed by batch norm, folded into one convolution with a bias:
/// `w' = w * gamma / sqrt(variance + eps)` per output channel and `b = beta - mean * gamma / sqrt(variance + eps)`.
///
/// The weights keep Keras's layout with the output channel last (conv1 `[3][3][3][C]`, depthwise
/// `[3][3][C]`, pointwise `[Cin][Cout]`), which is also the layout the kernels read.
struct FoldedConvolution: Sendable {
    /// Keras's layout (see above), or `NativePointwise`'s panels after `packedForPointwise()`.
    let weights: [Float]
    let bias: [Float]
    let inputChannels: Int
    let outputChannels: Int

    /// Reads `layer`'s kernel (`kernelSuffix`, of `shape`, output channel varying fastest) and the four
    /// vectors of `layer`_bn, and folds them.
    init(file: KerasWeightFile, layer: String, kernelSuffix: String, shape: [Int],
         inputChannels: Int, outputChannels channels: Int) throws {
        let batchNormLayer = layer + "_bn"
        let kernel = try file.tensor(layer: layer, suffix: kernelSuffix, shape: shape)
        let vector = { (name: String) in try file.tensor(layer: batchNormLayer, suffix: name, shape: [channels]) }
        let gamma = try vector("gamma:0"), beta = try vector("beta:0")
        let mean = try vector("moving_mean:0"), variance = try vector("moving_variance:0")

        let scale = (0..<channels).map { Double(gamma[$0]) / (Double(variance[$0]) + Architecture.batchNormEpsilon).squareRoot() }
        weights = kernel.indices.map { Float(Double(kernel[$0]) * scale[$0 % channels]) }
        bias = (0..<channels).map { Float(Double(beta[$0]) - Double(mean[$0]) * scale[$0]) }
        self.inputChannels = inputChannels
        outputChannels = channels
    }

    /// This 1x1 layer with its weights repacked into `NativePointwise`'s panels (the copy in Keras's
    /// layout is then dropped: one layout is kept, the weights are the model's largest part).
    func packedForPointwise(_ tiling: PointwiseTiling) -> FoldedConvolution {
        FoldedConvolution(
            weights: NativePointwise.pack(weights, inputChannels: inputChannels, outputChannels: outputChannels,
                                          panelWidth: tiling.panelWidth),
            bias: bias, inputChannels: inputChannels, outputChannels: outputChannels)
    }

    private init(weights: [Float], bias: [Float], inputChannels: Int, outputChannels: Int) {
        self.weights = weights
        self.bias = bias
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
    }
}
