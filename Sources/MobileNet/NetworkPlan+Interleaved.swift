/// The early layers of one image on one thread, interleaved band by band.
extension NetworkPlan {
    /// Computes rows `rows` of layer `last` (0: conv1, b + 1: block b) into `output`, running layers
    /// 0...last interleaved: `last` is asked for `step` rows at a time and each layer first has the
    /// one before compute just the rows it is missing. A layer's rows are thus read by the next layer
    /// soon after they are written, while still in cache. Only the rows that `rows` depends on are
    /// computed (so two threads can each take part of an image, recomputing the few rows they share);
    /// the intermediate layers go to `workspace`, whose rings must be at least `interleavedRows` long.
    func runInterleaved(_ input: UnsafePointer<Float>, workspace: Workspace, through last: Int, rows: Range<Int>,
                        output: LayerBuffer, step: Int, tileRows: (Block) -> Int) {
        guard !rows.isEmpty else { return }
        // The rows each layer must produce, from the last layer back to conv1.
        var start = [Int](repeating: 0, count: last + 1), end = start
        start[last] = rows.lowerBound
        end[last] = rows.upperBound
        for layer in stride(from: last, to: 0, by: -1) {
            let geometry = blocks[layer - 1].geometry
            start[layer - 1] = max(0, start[layer] * geometry.stride - geometry.leading)
            end[layer - 1] = min(geometry.height, (end[layer] - 1) * geometry.stride - geometry.leading + 3)
        }
        var done = start
        func produce(_ layer: Int, rows end: Int) {
            guard done[layer] < end else { return }
            let target = layer == last ? output : workspace.output(layer)
            if layer == 0 {
                runFirst(input, output: target, rows: done[0]..<end)
            } else {
                let block = blocks[layer - 1], geometry = block.geometry
                produce(layer - 1, rows: min(geometry.height, (end - 1) * geometry.stride - geometry.leading + 3))
                runBlock(layer - 1, workspace.output(layer - 1), output: target, rows: done[layer]..<end,
                         tileRows: tileRows(block), workspace: workspace)
            }
            done[layer] = end
        }
        for band in stride(from: rows.lowerBound + step, to: rows.upperBound + step, by: step) {
            produce(last, rows: min(rows.upperBound, band))
        }
    }

    /// Rows of layers 0..<last that `runInterleaved` needs at once (the sizes of their rings): when
    /// a step asks layer L for at most n rows, layer L - 1 must hold the (n - 1)·stride + 3 rows they
    /// are computed from (and computes at most that many in one step).
    func interleavedRows(through last: Int, step: Int) -> [Int] {
        var rows = [Int](repeating: 0, count: last)
        var asked = step
        for layer in stride(from: last, to: 0, by: -1) {
            asked = min(side(ofLayer: layer - 1), (asked - 1) * blocks[layer - 1].geometry.stride + 3)
            rows[layer - 1] = asked
        }
        return rows
    }
}
