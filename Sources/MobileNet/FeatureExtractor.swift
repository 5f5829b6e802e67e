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
    /// How the pointwise layers are computed (`.native` when `.blas` was asked for but OpenBLAS
    /// cannot be loaded; `BLASRuntime.load()` says why).
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
        let engine = engine == .blas && (try? BLASRuntime.load()) == nil ? .native : engine
        self.engine = engine
        let plan = NetworkPlan(model, engine: engine), schedule = Schedule()
        workspaces = (0..<self.threads).map { _ in Workspace(plan: plan) }
        self.plan = plan
        self.schedule = schedule
        // This extractor's own threads share the work; each sgemm call must stay on its caller's core.
        if engine == .blas { blas_set_threads(1) }
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
        return Array(runLayers(input, through: layer))
    }

    // MARK: - Scheduling

    /// `count` ≤ maxBatch images: one image is split across the threads; of more, each thread takes
    /// the next image until none is left (so a thread the system keeps waiting simply takes fewer).
    private func run(_ input: UnsafePointer<Float>, count: Int, pooled: UnsafeMutablePointer<Float>) {
        if count == 1 {
            averagePool(runOne(input), into: pooled)
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

    /// One image on the calling thread: the early blocks interleaved, then the late ones whole.
    private func runWhole(_ input: UnsafePointer<Float>, workspace: Workspace) -> UnsafePointer<Float> {
        let early = schedule.earlyBlocks(plan)
        plan.runInterleaved(input, workspace: workspace, through: early, rows: 0..<plan.side(ofLayer: early),
                            output: workspace.output(early), step: schedule.interleaveStep, tileRows: schedule.tileRows)
        for index in early..<plan.blocks.count {
            let block = plan.blocks[index]
            plan.runBlock(index, workspace.output(index), scratch: workspace.depthwise, output: workspace.output(index + 1),
                          zeros: workspace.zeros, rows: 0..<block.side, tileRows: schedule.tileRows(block))
        }
        return UnsafePointer(workspace.output(plan.blocks.count))
    }

    /// One image on all threads: each runs the early blocks interleaved for its share of the rows
    /// (with its own workspace, recomputing the few rows the shares have in common); then every late
    /// block is cut into pieces: depthwise rows, then pointwise output channels.
    private func runOne(_ input: UnsafePointer<Float>) -> UnsafePointer<Float> {
        let early = schedule.earlyBlocks(plan), shared = workspaces[0]
        let side = plan.side(ofLayer: early), parts = min(threads, side)
        parallel(parts) { part in
            plan.runInterleaved(input, workspace: workspaces[part], through: early,
                                rows: side * part / parts ..< side * (part + 1) / parts,
                                output: shared.output(early), step: schedule.interleaveStep, tileRows: schedule.tileRows)
        }
        for index in early..<plan.blocks.count {
            let block = plan.blocks[index]
            forEachPiece(of: block.side, size: schedule.depthwiseRows) { rows in
                plan.runDepthwise(index, shared.output(index), output: shared.depthwise, zeros: shared.zeros, rows: rows)
            }
            forEachPiece(of: block.outputChannels, size: schedule.pointwiseColumns) { columns in
                plan.runPointwise(index, shared.depthwise, output: shared.output(index + 1), pixels: 0..<block.pixels,
                                  columns: columns)
            }
        }
        return UnsafePointer(shared.output(plan.blocks.count))
    }

    /// One image, layer after layer on the calling thread, up to and including `stop`; returns that
    /// layer's output (for `activation`).
    private func runLayers(_ input: UnsafePointer<Float>, through stop: NetworkPlan.Layer) -> UnsafeBufferPointer<Float> {
        let workspace = workspaces[0]
        plan.runFirst(input, output: workspace.first, rows: 0..<plan.firstSide)
        if stop == .first { return UnsafeBufferPointer(start: workspace.first, count: plan.firstCount) }
        for (index, block) in plan.blocks.enumerated() {
            plan.runBlock(index, workspace.output(index), scratch: workspace.depthwise, output: workspace.output(index + 1),
                          zeros: workspace.zeros, rows: 0..<block.side, tileRows: schedule.tileRows(block))
            if stop == .depthwise(block: index) {
                return UnsafeBufferPointer(start: workspace.depthwise, count: block.depthwiseCount)
            }
            if stop == .pointwise(block: index) {
                return UnsafeBufferPointer(start: workspace.output(index + 1), count: block.outputCount)
            }
        }
        return UnsafeBufferPointer(start: workspace.output(plan.blocks.count), count: plan.blocks.last?.outputCount ?? 0)
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
    /// Blocks with at least this many output pixels are early blocks (interleaved; for one image, each
    /// thread takes a band of rows); the others run layer by layer (for one image: depthwise rows,
    /// then pointwise output channels, shared by the threads).
    let earlyPixels = 784
    /// Pixels per fused depthwise → pointwise tile.
    let tilePixels = 1024
    /// Rows per piece of the late depthwise layers.
    let depthwiseRows = 2
    /// Output channels per piece of the small pointwise layers (a multiple of the 32-wide panels).
    let pointwiseColumns = 64

    /// Rows of the last early block asked for at a time when its blocks run interleaved.
    let interleaveStep = 4

    func tileRows(_ block: NetworkPlan.Block) -> Int { max(1, tilePixels / block.side) }

    /// The early blocks, run interleaved: those with large activations (and small weights).
    func earlyBlocks(_ plan: NetworkPlan) -> Int {
        plan.blocks.firstIndex { $0.pixels < earlyPixels } ?? plan.blocks.count
    }
}
