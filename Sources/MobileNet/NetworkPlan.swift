/// The layers of the forward pass in order, with the size of what each one produces.
struct NetworkPlan {
    enum Kind {
        case first(FoldedConvolution)
        case depthwise(FoldedConvolution, DepthwiseConvolution.Geometry)
        case pointwise(FoldedConvolution)
    }

    struct Step {
        let kind: Kind
        /// Keras's name of the ReLU6 after this layer, e.g. `conv_pw_6_relu`.
        let name: String
        let height: Int, width: Int, channels: Int
        var outputCount: Int { height * width * channels }
    }

    let steps: [Step]
    let inputSize: Int

    init(_ model: MobileNetModel) {
        inputSize = model.inputSize
        var side = Architecture.outputSide(model.inputSize, stride: 2)
        var channels = model.firstConvolution.outputChannels
        var steps = [Step(kind: .first(model.firstConvolution), name: "conv1_relu",
                          height: side, width: side, channels: channels)]
        for (index, block) in model.blocks.enumerated() {
            let geometry = DepthwiseConvolution.Geometry(height: side, width: side, channels: channels, stride: block.stride)
            side = geometry.outputHeight
            steps.append(Step(kind: .depthwise(block.depthwise, geometry), name: "conv_dw_\(index + 1)_relu",
                              height: side, width: side, channels: channels))
            channels = block.pointwise.outputChannels
            steps.append(Step(kind: .pointwise(block.pointwise), name: "conv_pw_\(index + 1)_relu",
                              height: side, width: side, channels: channels))
        }
        self.steps = steps
    }

    var inputCount: Int { inputSize * inputSize * 3 }
    var largestOutput: Int { steps.map(\.outputCount).max() ?? 0 }
    /// The widest input row a depthwise layer reads (for its zero padding row).
    var widestRow: Int {
        steps.compactMap { step -> Int? in
            if case .depthwise(_, let geometry) = step.kind { return geometry.width * geometry.channels }
            return nil
        }.max() ?? 0
    }
}
