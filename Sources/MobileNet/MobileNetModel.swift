/// MobileNet v1 with batch norm folded into its convolutions: immutable, shareable between threads.
///
/// Loads Keras 2 legacy `.h5` weights (`include_top` or not) for any published width multiplier,
/// which it infers from the shapes.
public final class MobileNetModel: Sendable {
    /// The width multiplier (1.0, 0.75, 0.5 or 0.25).
    public let alpha: Float
    /// Side of the square RGB input.
    public let inputSize: Int = 224
    /// Length of the pooled feature vector: 1024 × alpha.
    public let featureDimension: Int
    /// The register tiling the pointwise weights are packed for.
    public let tiling: PointwiseTiling

    /// One depthwise-separable block.
    struct Block: Sendable {
        let stride: Int
        let depthwise: FoldedConvolution
        /// Its weights are kept only in `NativePointwise`'s panel layout (which both engines read).
        let pointwise: FoldedConvolution
    }

    let firstConvolution: FoldedConvolution
    let blocks: [Block]

    /// Loads and folds the weights at `path`, packing the pointwise layers for `tiling` (by default
    /// the fastest on this CPU); throws `MobileNetError` naming what is wrong with the file.
    public init(contentsOf path: String, tiling: PointwiseTiling = .forThisCPU) throws {
        let file = try KerasWeightFile(path: path)
        let alpha = try Self.inferAlpha(file)
        let firstChannels = Architecture.channels(Architecture.firstFilters, alpha: alpha)
        firstConvolution = try FoldedConvolution(
            file: file, layer: "conv1", kernelSuffix: "kernel:0", shape: [3, 3, 3, firstChannels],
            inputChannels: 3, outputChannels: firstChannels)

        var blocks: [Block] = []
        var channels = firstChannels
        for (index, spec) in Architecture.blocks.enumerated() {
            let number = index + 1
            let outputChannels = Architecture.channels(spec.filters, alpha: alpha)
            let depthwise = try FoldedConvolution(
                file: file, layer: "conv_dw_\(number)", kernelSuffix: "depthwise_kernel:0",
                shape: [3, 3, channels, 1], inputChannels: channels, outputChannels: channels)
            let pointwise = try FoldedConvolution(
                file: file, layer: "conv_pw_\(number)", kernelSuffix: "kernel:0",
                shape: [1, 1, channels, outputChannels], inputChannels: channels, outputChannels: outputChannels)
            blocks.append(Block(stride: spec.stride, depthwise: depthwise, pointwise: pointwise.packedForPointwise(tiling)))
            channels = outputChannels
        }
        self.alpha = alpha
        self.tiling = tiling
        self.blocks = blocks
        featureDimension = channels
    }

    /// The width multiplier, from the number of filters of `conv1` (32 × alpha).
    private static func inferAlpha(_ file: KerasWeightFile) throws -> Float {
        let shape = try file.read(layer: "conv1", suffix: "kernel:0").shape
        let expected = [3, 3, 3, Architecture.firstFilters]
        guard shape.count == 4, shape[0...2] == [3, 3, 3] else {
            throw MobileNetError.unexpectedShape(name: "conv1/kernel:0", expected: expected, found: shape)
        }
        let alpha = Float(shape[3]) / Float(Architecture.firstFilters)
        guard Architecture.supportedAlphas.contains(alpha) else {
            throw MobileNetError.notMobileNetV1(
                "conv1 has \(shape[3]) filters, which matches no width multiplier (\(Architecture.supportedAlphas))")
        }
        return alpha
    }
}
