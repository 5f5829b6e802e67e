/// Scratch memory for one thread's share of a forward pass, allocated once and reused.
final class Workspace {
    /// Per-image activations, ping-pong between the blocks.
    let imageA: UnsafeMutablePointer<Float>
    let imageB: UnsafeMutablePointer<Float>
    /// Depthwise outputs of the current block, indexed like a whole image.
    let depthwise: UnsafeMutablePointer<Float>
    /// A row of zeros: the padding the depthwise layers read beyond the image.
    let zeros: UnsafeMutablePointer<Float>

    init(plan: NetworkPlan) {
        let all = 0..<plan.blocks.count
        let image = max(plan.firstCount, plan.largestOutput(all))
        imageA = Self.allocate(image)
        imageB = Self.allocate(image)
        depthwise = Self.allocate(plan.largestDepthwise(all))
        zeros = Self.allocate(plan.widestRow)
        zeros.initialize(repeating: 0, count: plan.widestRow)
    }

    deinit {
        for buffer in [imageA, imageB, depthwise, zeros] { buffer.deallocate() }
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(16, count) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(16, count))
    }
}
