/// Scratch memory for one thread's share of a forward pass, allocated once and reused.
///
/// Early blocks run one image at a time (their activations are large: batching them only spills the
/// caches); the blocks from `NetworkPlan`'s batched tail run on a group of images at once, so that
/// each weight matrix is used for many pixels per sgemm call.
final class Workspace {
    /// Per-image activations, ping-pong.
    let imageA: UnsafeMutablePointer<Float>
    let imageB: UnsafeMutablePointer<Float>
    /// Depthwise outputs: one image (early blocks) or a whole group (tail blocks).
    let depthwise: UnsafeMutablePointer<Float>
    /// Tail activations of a whole group, ping-pong.
    let groupA: UnsafeMutablePointer<Float>
    let groupB: UnsafeMutablePointer<Float>
    /// A row of zeros: the padding the depthwise layers read beyond the image.
    let zeros: UnsafeMutablePointer<Float>

    init(plan: NetworkPlan, tailStart: Int, groupSize: Int) {
        let tail = tailStart..<plan.blocks.count
        let all = 0..<plan.blocks.count
        let image = max(plan.firstCount, plan.largestOutput(all))
        let group = groupSize * max(plan.largestOutput(tail), tailStart > 0 ? plan.blocks[tailStart - 1].outputCount : plan.firstCount)
        imageA = Self.allocate(image)
        imageB = Self.allocate(image)
        depthwise = Self.allocate(max(plan.largestDepthwise(all), groupSize * plan.largestDepthwise(tail)))
        groupA = Self.allocate(group)
        groupB = Self.allocate(group)
        zeros = Self.allocate(plan.widestRow)
        zeros.initialize(repeating: 0, count: plan.widestRow)
    }

    deinit {
        for buffer in [imageA, imageB, depthwise, groupA, groupB, zeros] { buffer.deallocate() }
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(16, count) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(16, count))
    }
}
