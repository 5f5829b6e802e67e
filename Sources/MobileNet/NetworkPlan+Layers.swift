/// The layers of the plan applied to row or column ranges of one image, so that callers can split
/// the work between threads and into cache-sized tiles.
extension NetworkPlan {
    /// Output rows `rows` of conv1 for one image.
    func runFirst(_ input: UnsafePointer<Float>, output: LayerBuffer, rows: Range<Int>) {
        first.weights.withUnsafeBufferPointer { weights in
            first.bias.withUnsafeBufferPointer { bias in
                FirstConvolution.run(input, size: inputSize, channels: first.outputChannels,
                                     weights: weights.baseAddress!, bias: bias.baseAddress!, output: output.data,
                                     outputRows: output.rows, rows: rows)
            }
        }
    }

    /// Output rows `rows` of block `index`'s depthwise layer for one image; `output` receives row
    /// `rows.lowerBound` first.
    func runDepthwise(_ index: Int, _ input: LayerBuffer, output: UnsafeMutablePointer<Float>,
                      zeros: UnsafePointer<Float>, rows: Range<Int>) {
        let block = blocks[index]
        block.depthwise.weights.withUnsafeBufferPointer { weights in
            block.depthwise.bias.withUnsafeBufferPointer { bias in
                DepthwiseConvolution.run(input.data, inputRows: input.rows, block.geometry, weights: weights.baseAddress!, bias: bias.baseAddress!,
                                         zeros: zeros, output: output, rows: rows)
            }
        }
    }

    /// Pixels `pixels` and output channels `columns` of block `index`'s pointwise layer; `input` holds
    /// pixel `pixels.lowerBound` first, `output` the whole image (`workspace` lends its scratch).
    func runPointwise(_ index: Int, _ input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                      pixels: Range<Int>, columns: Range<Int>, workspace: Workspace) {
        let block = blocks[index], layer = block.pointwise
        layer.weights.withUnsafeBufferPointer { weights in
            layer.bias.withUnsafeBufferPointer { bias in
                switch engine {
                case .native:
                    NativePointwise.run(input, inputChannels: layer.inputChannels, outputChannels: layer.outputChannels,
                                        packed: weights.baseAddress!, panelWidth: panelWidth, bias: bias.baseAddress!,
                                        output: output, pixels: pixels, columns: columns, channelLists: workspace.channelLists)
                case .blas:
                    BLASPointwise.run(input, inputChannels: layer.inputChannels, outputChannels: layer.outputChannels,
                                      packed: weights.baseAddress!, panelWidth: panelWidth, bias: bias.baseAddress!,
                                      output: output, pixels: pixels, columns: columns)
                }
            }
        }
    }

    /// Output rows `rows` of block `index` for one image, `tileRows` rows at a time (and none across
    /// the end of `output`'s ring): each tile's depthwise output goes to the start of
    /// `workspace.depthwise` (the same memory for every tile, so it stays in cache) and straight into
    /// the pointwise layer.
    func runBlock(_ index: Int, _ input: LayerBuffer, output: LayerBuffer,
                  rows: Range<Int>, tileRows: Int, workspace: Workspace) {
        let side = blocks[index].side
        var start = rows.lowerBound
        while start < rows.upperBound {
            let slot = start % output.rows
            let end = min(rows.upperBound, start + max(1, tileRows), start - slot + output.rows)
            runDepthwise(index, input, output: workspace.depthwise, zeros: workspace.zeros, rows: start..<end)
            runPointwise(index, workspace.depthwise, output: output.data, pixels: slot * side ..< (slot + end - start) * side,
                         columns: 0..<blocks[index].outputChannels, workspace: workspace)
            start = end
        }
    }
}
