/// How an image's layers are cut into pieces for the threads and for the caches (measured on a
/// 2-core AVX-512 machine; see notes/model.md).
struct Schedule {
    /// Blocks with at least this many output pixels are early blocks (interleaved; for one image, each
    /// thread takes a band of rows); the others run layer by layer (for one image, the threads share
    /// the pointwise layer's output channels).
    let earlyPixels = 784
    /// Pixels per fused depthwise → pointwise tile.
    let tilePixels = 1024
    /// Output channels per piece of a late pointwise layer (a multiple of the 32-wide panels).
    let pointwiseColumns = 64

    /// Rows of the last early block asked for at a time when its blocks run interleaved.
    let interleaveStep = 4

    func tileRows(_ block: NetworkPlan.Block) -> Int { max(1, tilePixels / block.side) }

    /// The early blocks, run interleaved: those with large activations (and small weights).
    func earlyBlocks(_ plan: NetworkPlan) -> Int {
        plan.blocks.firstIndex { $0.pixels < earlyPixels } ?? plan.blocks.count
    }
}
