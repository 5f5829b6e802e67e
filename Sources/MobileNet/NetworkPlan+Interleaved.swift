/// The whole network on one image and one thread, the early layers interleaved band by band.
extension NetworkPlan {
    /// Runs the blocks `0..<interleaved` by asking the last of them for `step` output rows at a time:
    /// each block first has the previous one compute just the rows it is missing, so a layer's rows
    /// are read by the next layer soon after they are written, while still in cache. These early
    /// layers have large activations and small weights; the later ones (small activations, large
    /// weights) then run whole, each weight panel serving every pixel at once.
    /// Returns the last block's output.
    func runInterleaved(_ input: UnsafePointer<Float>, workspace: Workspace, interleaved: Int, step: Int,
                        tileRows: (Block) -> Int) -> UnsafePointer<Float> {
        var done = [Int](repeating: 0, count: blocks.count + 1)  // rows finished per layer (0: conv1)
        func produce(_ layer: Int, rows end: Int) {
            guard done[layer] < end else { return }
            if layer == 0 {
                runFirst(input, output: workspace.first, rows: done[0]..<end)
            } else {
                let block = blocks[layer - 1], geometry = block.geometry
                produce(layer - 1, rows: min(geometry.height, (end - 1) * geometry.stride - geometry.leading + 3))
                runBlock(layer - 1, workspace.output(layer - 1), scratch: workspace.depthwise,
                         output: workspace.output(layer), zeros: workspace.zeros, rows: done[layer]..<end,
                         tileRows: tileRows(block))
            }
            done[layer] = end
        }
        if interleaved > 0 {
            let side = blocks[interleaved - 1].side
            for end in stride(from: step, to: side + step, by: step) { produce(interleaved, rows: min(side, end)) }
        }
        for layer in (interleaved + 1)..<(blocks.count + 1) { produce(layer, rows: blocks[layer - 1].side) }
        return UnsafePointer(workspace.output(blocks.count))
    }
}
