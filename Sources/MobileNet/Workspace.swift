/// Where a layer's output rows live: `rows` rows of `side × channels` floats, row `r` at slot
/// `r % rows`. A whole layer has `rows` = its side; a ring holds only the last few rows computed.
struct LayerBuffer {
    let data: UnsafeMutablePointer<Float>
    let rows: Int
}

/// Scratch memory for one thread's share of a forward pass, allocated once and reused.
///
/// With a `Schedule`, the interleaved early layers (conv1 and the early blocks but the last) keep
/// only rings of the rows their next layer still reads; the last early block's output and the late
/// blocks' outputs alternate between two whole-layer buffers (each late block reads one and writes
/// the other). Without one, every layer's output is kept whole (for inspecting activations).
final class Workspace {
    private let layers: [LayerBuffer]
    /// Depthwise outputs of the tile being computed (of a whole late layer at most).
    let depthwise: UnsafeMutablePointer<Float>
    /// A row of zeros: the padding the depthwise layers read beyond the image.
    let zeros: UnsafeMutablePointer<Float>
    /// Scratch for `NativePointwise`'s lists of input channels to skip.
    let channelLists: UnsafeMutablePointer<Int32>
    private var owned: [UnsafeMutablePointer<Float>] = []

    init(plan: NetworkPlan, schedule: Schedule?) {
        let sides = (0...plan.blocks.count).map(plan.side(ofLayer:))
        let counts = [plan.firstCount] + plan.blocks.map(\.outputCount)
        var layers: [LayerBuffer] = []
        var depthwiseCount = plan.blocks.map(\.depthwiseCount).max() ?? 0
        if let schedule {
            let early = schedule.earlyBlocks(plan)
            let rings = plan.interleavedRows(through: early, step: schedule.interleaveStep)
            var allocated: [UnsafeMutablePointer<Float>] = []
            for layer in 0..<early {
                let rows = rings[layer]
                allocated.append(Self.allocate(counts[layer] / sides[layer] * rows))
                layers.append(LayerBuffer(data: allocated[layer], rows: rows))
            }
            let stageCount = counts[early...].max() ?? 0
            let stages = [Self.allocate(stageCount), Self.allocate(stageCount)]
            for layer in early..<counts.count {
                layers.append(LayerBuffer(data: stages[(layer - early) % 2], rows: sides[layer]))
            }
            owned = allocated + stages
            depthwiseCount = plan.blocks.map { min($0.side, schedule.tileRows($0)) * $0.side * $0.inputChannels }.max() ?? 0
        } else {
            owned = counts.map(Self.allocate)
            layers = zip(owned, sides).map { LayerBuffer(data: $0, rows: $1) }
        }
        self.layers = layers
        depthwise = Self.allocate(depthwiseCount)
        zeros = Self.allocate(plan.widestRow)
        zeros.initialize(repeating: 0, count: plan.widestRow)
        let lists = plan.blocks.map { NativePointwise.listCapacity(inputChannels: $0.inputChannels) }.max() ?? 0
        channelLists = .allocate(capacity: max(1, lists))
    }

    deinit {
        for buffer in owned + [depthwise, zeros] { buffer.deallocate() }
        channelLists.deallocate()
    }

    /// The output of layer `layer`: 0 is conv1, `b + 1` is block `b`.
    func output(_ layer: Int) -> LayerBuffer { layers[layer] }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(16, count) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(16, count))
    }
}
