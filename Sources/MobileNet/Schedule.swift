/// How an image's layers are cut into pieces for the threads and for the caches (measured on a
/// 2-core AVX-512 machine; see notes/model.md).
struct Schedule {
    /// Blocks with at least this many output pixels are early blocks (interleaved; for one image, each
    /// thread takes a band of rows); the others run layer by layer (for one image, the threads share
    /// the pointwise layer's output channels).
    let earlyPixels = 784
    /// Pixels per fused depthwise → pointwise tile.
    let tilePixels = 1024

    /// Rows of the last early block asked for at a time when its blocks run interleaved. One row
    /// keeps the rings smallest (1.4 MB a thread instead of 2.3 MB with four), which took the
    /// service's RSS from 61.3 to 59.4 MB; speed was the same within the noise of five alternating
    /// pairs on a 2-core Zen 3 (single image 11.4 ms either way, batch 106 against 108 images/s).
    let interleaveStep = 1

    /// Output channels per piece of a late pointwise layer for one image: a share per thread, at most
    /// 256 (large pieces list their skippable input channels once for more panels; 64 → 256 took a
    /// single image from 6.4 to 6.1 ms), in whole 32-wide panels.
    func pointwiseColumns(_ channels: Int, threads: Int) -> Int {
        max(32, min(256, channels / max(1, threads)) / 32 * 32)
    }

    func tileRows(_ block: NetworkPlan.Block) -> Int { max(1, tilePixels / block.side) }

    /// The early blocks, run interleaved: those with large activations (and small weights).
    func earlyBlocks(_ plan: NetworkPlan) -> Int {
        plan.blocks.firstIndex { $0.pixels < earlyPixels } ?? plan.blocks.count
    }
}
