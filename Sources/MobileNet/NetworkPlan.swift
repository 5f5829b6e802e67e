/// The layers of a loaded model with the shapes they have for one image, and the names of their
/// activations.
struct NetworkPlan {
    /// One depthwise-separable block: its input geometry and what it produces.
    struct Block {
        let depthwise: FoldedConvolution
        /// Weights in `NativePointwise`'s panels.
        let pointwise: FoldedConvolution
        /// Geometry of the depthwise layer (its input side, channels and stride).
        let geometry: DepthwiseConvolution.Geometry
        var side: Int { geometry.outputHeight }
        var pixels: Int { side * side }
        var inputChannels: Int { geometry.channels }
        var outputChannels: Int { pointwise.outputChannels }
        var depthwiseCount: Int { pixels * inputChannels }
        var outputCount: Int { pixels * outputChannels }
    }

    /// A layer whose ReLU6 output can be inspected: `conv1_relu`, `conv_dw_N_relu` or `conv_pw_N_relu`.
    enum Layer: Equatable {
        case first
        case depthwise(block: Int)
        case pointwise(block: Int)
    }

    let inputSize: Int
    let engine: PointwiseEngine
    /// Output channels per panel of every pointwise layer's packed weights (the model's tiling).
    let panelWidth: Int
    let first: FoldedConvolution
    let firstSide: Int
    let blocks: [Block]

    init(_ model: MobileNetModel, engine: PointwiseEngine) {
        inputSize = model.inputSize
        self.engine = engine
        panelWidth = model.tiling.panelWidth
        first = model.firstConvolution
        firstSide = Architecture.outputSide(model.inputSize, stride: 2)
        var side = firstSide
        var channels = model.firstConvolution.outputChannels
        var blocks: [Block] = []
        for block in model.blocks {
            let geometry = DepthwiseConvolution.Geometry(height: side, width: side, channels: channels, stride: block.stride)
            blocks.append(Block(depthwise: block.depthwise, pointwise: block.pointwise, geometry: geometry))
            side = geometry.outputHeight
            channels = block.pointwise.outputChannels
        }
        self.blocks = blocks
    }

    var inputCount: Int { inputSize * inputSize * 3 }
    var firstCount: Int { firstSide * firstSide * first.outputChannels }
    var featureDimension: Int { blocks.last?.outputChannels ?? first.outputChannels }

    /// Output side of layer `layer` (0: conv1, b + 1: block b).
    func side(ofLayer layer: Int) -> Int { layer == 0 ? firstSide : blocks[layer - 1].side }

    /// The widest depthwise input row (the zero row used for padding must be this long).
    var widestRow: Int { blocks.map { $0.geometry.width * $0.geometry.channels }.max() ?? 0 }

    /// The layer Keras calls `name`, if MobileNet v1 has it.
    func layer(named name: String) -> Layer? {
        if name == "conv1_relu" { return .first }
        for index in blocks.indices {
            if name == "conv_dw_\(index + 1)_relu" { return .depthwise(block: index) }
            if name == "conv_pw_\(index + 1)_relu" { return .pointwise(block: index) }
        }
        return nil
    }
}
