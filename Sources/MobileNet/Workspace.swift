/// Scratch memory for one thread's share of a forward pass, allocated once and reused.
final class Workspace {
    /// conv1's output, then one output buffer per block (all kept, so that blocks can run interleaved).
    let first: UnsafeMutablePointer<Float>
    let blocks: [UnsafeMutablePointer<Float>]
    /// Depthwise outputs of the tile being computed (of a whole layer at most).
    let depthwise: UnsafeMutablePointer<Float>
    /// A row of zeros: the padding the depthwise layers read beyond the image.
    let zeros: UnsafeMutablePointer<Float>
    /// Scratch for `NativePointwise`'s lists of input channels to skip.
    let channelLists: UnsafeMutablePointer<Int32>

    init(plan: NetworkPlan) {
        first = Self.allocate(plan.firstCount)
        blocks = plan.blocks.map { Self.allocate($0.outputCount) }
        depthwise = Self.allocate(plan.blocks.map(\.depthwiseCount).max() ?? 0)
        zeros = Self.allocate(plan.widestRow)
        zeros.initialize(repeating: 0, count: plan.widestRow)
        let lists = plan.blocks.map { NativePointwise.listCapacity(inputChannels: $0.inputChannels) }.max() ?? 0
        channelLists = .allocate(capacity: max(1, lists))
    }

    deinit {
        for buffer in [first, depthwise, zeros] + blocks { buffer.deallocate() }
        channelLists.deallocate()
    }

    /// The output of layer `layer`: 0 is conv1, `b + 1` is block `b`.
    func output(_ layer: Int) -> UnsafeMutablePointer<Float> {
        layer == 0 ? first : blocks[layer - 1]
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(16, count) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(16, count))
    }
}
