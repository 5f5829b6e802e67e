import CBLAS
import Dispatch
import Foundation

/// Runs MobileNet v1 on batches of images. Owns its scratch buffers, so use one per thread.
///
/// Work is split between `threads` threads of its own: a single image layer by layer (rows of each
/// block, or output channels of the small late ones), a batch image by image (each image whole on
/// one thread, which keeps its activations in that core's cache). OpenBLAS, when used, is set to one
/// thread per call so that the two never compete for the cores.
public final class FeatureExtractor {
    public let model: MobileNetModel
    public let maxBatch: Int
    /// Threads one call may use.
    public let threads: Int
    /// How the pointwise layers are computed.
    public let engine: PointwiseEngine
    private let plan: NetworkPlan
    private let schedule: Schedule
    private let workspaces: [Workspace]

    /// Prepares buffers for up to `maxBatch` images per pass (larger requests run in chunks) and
    /// `threads` threads (default: one per core).
    public init(model: MobileNetModel, maxBatch: Int = 32,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, engine: PointwiseEngine = .native) {
        self.model = model
        self.maxBatch = max(1, maxBatch)
        self.threads = max(1, threads)
        self.engine = engine
        let plan = NetworkPlan(model, engine: engine), schedule = Schedule()
        workspaces = (0..<self.threads).map { _ in Workspace(plan: plan) }
        self.plan = plan
        self.schedule = schedule
        blas_set_threads(1)
    }

    /// `count` NHWC images (inputSize×inputSize×3 floats each, already scaled to x/127.5-1).
    /// Returns count×featureDimension floats, each row L2-normalised.
    public func embed(_ input: UnsafePointer<Float>, count: Int) -> [Float] {
        var features = pooledFeatures(input, count: count)
        let dimension = model.featureDimension
        features.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<count {
                let vector = UnsafeMutableBufferPointer(rebasing: buffer[row * dimension ..< (row + 1) * dimension])
                let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
                if norm > 0 { for index in vector.indices { vector[index] /= norm } }
            }
        }
        return features
    }

    /// `count` images in, count×featureDimension globally average-pooled values out (not normalised).
    public func pooledFeatures(_ input: UnsafePointer<Float>, count: Int) -> [Float] {
        let dimension = model.featureDimension
        var features = [Float](repeating: 0, count: max(0, count) * dimension)
        features.withUnsafeMutableBufferPointer { buffer in
            guard let output = buffer.baseAddress else { return }
            var start = 0
            while start < count {
                let chunk = min(maxBatch, count - start)
                run(input + start * plan.inputCount, count: chunk, pooled: output + start * dimension)
                start += chunk
            }
        }
        return features
    }

    /// The activation after the ReLU6 of a named layer (`conv1_relu`, `conv_dw_1_relu`,
    /// `conv_pw_6_relu`, ...), `[H][W][C]` for image 0 of `input`.
    public func activation(_ input: UnsafePointer<Float>, after name: String) throws -> [Float] {
        guard let layer = plan.layer(named: name) else { throw MobileNetError.unknownLayer(name) }
        let (output, count) = runOne(input, stoppingAfter: layer)
        return Array(UnsafeBufferPointer(start: output, count: count))
    }

    // MARK: - Scheduling

    /// `count` ≤ maxBatch images: one image is split across the threads; of more, each thread takes
    /// the next image until none is left (so a thread the system keeps waiting simply takes fewer).
    private func run(_ input: UnsafePointer<Float>, count: Int, pooled: UnsafeMutablePointer<Float>) {
        if count == 1 {
            let (output, _) = runOne(input, stoppingAfter: nil)
            averagePool(output, into: pooled)
            return
        }
        let images = WorkQueue(count: count)
        parallel(min(threads, count)) { lane in
            let workspace = workspaces[lane]
            while let image = images.take() {
                let output = runWhole(input + image * plan.inputCount, workspace: workspace)
                averagePool(output, into: pooled + image * plan.featureDimension)
            }
        }
    }

    /// One image, each layer cut into pieces that the threads share; stops after `stop` (nil: the
    /// last block). Returns the buffer holding that layer's output and its length.
    private func runOne(_ input: UnsafePointer<Float>, stoppingAfter stop: NetworkPlan.Layer?) -> (UnsafePointer<Float>, Int) {
        let workspace = workspaces[0]
        var source = workspace.imageA, target = workspace.imageB
        forEachPiece(of: plan.firstSide, size: schedule.firstRows) { rows in
            plan.runFirst(input, output: source, rows: rows)
        }
        if stop == .first { return (UnsafePointer(source), plan.firstCount) }
        for (index, block) in plan.blocks.enumerated() {
            if block.pixels >= schedule.rowSplitPixels {
                forEachPiece(of: block.side, size: schedule.tileRows(block)) { rows in
                    plan.runBlock(index, source, scratch: workspace.depthwise, output: target, zeros: workspace.zeros,
                                  rows: rows, tileRows: rows.count)
                }
            } else {
                forEachPiece(of: block.side, size: schedule.depthwiseRows) { rows in
                    plan.runDepthwise(index, source, output: workspace.depthwise, zeros: workspace.zeros, rows: rows)
                }
                forEachPiece(of: block.outputChannels, size: schedule.pointwiseColumns) { columns in
                    plan.runPointwise(index, workspace.depthwise, output: target, pixels: 0..<block.pixels, columns: columns)
                }
            }
            if stop == .depthwise(block: index) { return (UnsafePointer(workspace.depthwise), block.depthwiseCount) }
            if stop == .pointwise(block: index) { return (UnsafePointer(target), block.outputCount) }
            swap(&source, &target)
        }
        return (UnsafePointer(source), plan.blocks.last?.outputCount ?? plan.firstCount)
    }

    /// One image on the calling thread, block by block in cache-sized tiles; returns the last output.
    private func runWhole(_ input: UnsafePointer<Float>, workspace: Workspace) -> UnsafePointer<Float> {
        var source = workspace.imageA, target = workspace.imageB
        plan.runFirst(input, output: source, rows: 0..<plan.firstSide)
        for (index, block) in plan.blocks.enumerated() {
            plan.runBlock(index, source, scratch: workspace.depthwise, output: target, zeros: workspace.zeros,
                          rows: 0..<block.side, tileRows: schedule.tileRows(block))
            swap(&source, &target)
        }
        return UnsafePointer(source)
    }

    /// Global average pooling of the last block's output for one image.
    private func averagePool(_ data: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        guard let last = plan.blocks.last else { return }
        let channels = last.outputChannels, pixels = last.pixels
        output.initialize(repeating: 0, count: channels)
        for pixel in 0..<pixels {
            let row = data + pixel * channels
            var c = 0
            while c + 8 <= channels {
                (output + c).store((output + c).vector(SIMD8<Float>.self) + (row + c).vector(SIMD8<Float>.self))
                c += 8
            }
        }
        let scale = 1 / Float(pixels)
        for c in 0..<channels { output[c] *= scale }
    }

    /// Runs `body` on the pieces `0..<size`, `size..<2·size`, ... of `0..<count`, shared by the threads.
    private func forEachPiece(of count: Int, size: Int, _ body: (Range<Int>) -> Void) {
        let pieces = WorkQueue(count: (count + size - 1) / size)
        parallel(min(threads, pieces.count)) { _ in
            while let piece = pieces.take() { body(piece * size ..< min(count, (piece + 1) * size)) }
        }
    }

    /// Runs `body(0..<parts)` on `parts` threads and returns when all are done. The parts write
    /// disjoint memory, which is what makes handing the non-Sendable closure to Dispatch sound.
    private func parallel(_ parts: Int, _ body: (Int) -> Void) {
        if parts == 1 { return body(0) }
        withoutActuallyEscaping(body) { body in
            let work = UncheckedWork(body: body)
            DispatchQueue.concurrentPerform(iterations: parts) { work.body($0) }
        }
    }

}

private struct UncheckedWork: @unchecked Sendable {
    let body: (Int) -> Void
}

/// Hands out the indices `0..<count`, each once, to whichever thread asks first.
final class WorkQueue: @unchecked Sendable {
    let count: Int
    private var next = 0
    private let lock = NSLock()

    init(count: Int) { self.count = count }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

/// How one image's layers are cut into pieces for the threads (measured on a 2-core AVX-512
/// machine; see notes/model.md).
struct Schedule {
    /// Blocks with at least this many output pixels are cut into row tiles, each tile's depthwise
    /// and pointwise layers run together; smaller ones cut the depthwise layer by rows, then the
    /// pointwise layer by output channels.
    let rowSplitPixels = 784
    /// Pixels per fused depthwise → pointwise tile.
    let tilePixels = 1024
    /// Rows per piece of conv1 and of the small depthwise layers.
    let firstRows = 8
    let depthwiseRows = 2
    /// Output channels per piece of the small pointwise layers (a multiple of the 32-wide panels).
    let pointwiseColumns = 64

    func tileRows(_ block: NetworkPlan.Block) -> Int { max(1, tilePixels / block.side) }
}
