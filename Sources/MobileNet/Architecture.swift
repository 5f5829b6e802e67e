/// The fixed shape of MobileNet v1: a 3x3 stride-2 convolution, then 13 depthwise-separable blocks.
enum Architecture {
    /// Output channels of `conv1` at alpha 1.
    static let firstFilters = 32
    /// Per block (1...13): the depthwise stride and the pointwise output channels at alpha 1.
    static let blocks: [(stride: Int, filters: Int)] = [
        (1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512),
        (1, 512), (1, 512), (1, 512), (1, 512), (1, 512), (2, 1024), (1, 1024),
    ]
    /// Width multipliers Keras publishes weights for.
    static let supportedAlphas: [Float] = [0.25, 0.5, 0.75, 1.0]
    /// Keras's batch-norm epsilon for MobileNet.
    static let batchNormEpsilon = 1e-3

    /// Channels of a layer with `baseFilters` at alpha 1, as Keras computes them.
    static func channels(_ baseFilters: Int, alpha: Float) -> Int { Int(Float(baseFilters) * alpha) }

    /// Output side of a 3x3 convolution: stride 1 pads all sides; stride 2 pads bottom/right by one.
    static func outputSide(_ input: Int, stride: Int) -> Int {
        stride == 1 ? input : (input - 2) / 2 + 1
    }
}
