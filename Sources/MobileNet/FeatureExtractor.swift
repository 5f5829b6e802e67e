import CBLAS
import FoundationEssentials

/// Runs MobileNet v1 on batches of images. Owns its scratch buffers, so use one per thread.
///
/// A batch is shared out image by image: each of up to `threads` threads takes the next image and
/// runs it whole, which keeps its activations in that core's cache. A single image is split: each
/// thread computes a band of rows of the early blocks, then the threads share each late block in
/// pieces. OpenBLAS, when used, runs one thread per call so that it never competes with these.
public final class FeatureExtractor {
    public let model: MobileNetModel
    public let maxBatch: Int
    /// Threads one call may use.
    public let threads: Int
    /// How the pointwise layers are computed (`.native` by default, and when `.blas` was asked for
    /// but OpenBLAS cannot be loaded; `BLASRuntime.load()` says why).
    public let engine: PointwiseEngine
    private let plan: NetworkPlan
    private let schedule: Schedule
    private let workspaces: [Workspace]
    private let team: ThreadTeam

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
        workspaces = (0..<self.threads).map { _ in Workspace(plan: plan, schedule: schedule) }
        team = ThreadTeam(helpers: self.threads - 1)
        self.plan = plan
        self.schedule = schedule
        // This extractor's own threads share the work; each sgemm call must stay on its caller's core.
        if engine == .blas { blas_set_threads(1) }
    }

    deinit {
        team.stop()
    }

    /// `count` NHWC images (inputSize×inputSize×3 floats each, already scaled to x/127.5-1), one
    /// after the other. Returns count×featureDimension floats, each row L2-normalised.
    public func embed(_ input: UnsafePointer<Float>, count: Int) -> [Float] {
        embed(images: imagePointers(input, count: count))
    }

    /// Like `embed(_:count:)` for images that lie anywhere in memory (no copy into one buffer).
    ///
    /// `splitting: false` runs every image whole on one thread, even one left over when there are
    /// fewer images than threads. That costs latency but less CPU per image (`similarity bench
    /// model` on a 2-core Zen 3: 18.0 ms of CPU per image in a batch against 21.5 ms for a single
    /// image split over both cores): the better choice when other work is waiting for the cores.
    public func embed(images: [UnsafePointer<Float>], splitting: Bool = true) -> [Float] {
        var features = pooledFeatures(images: images, splitting: splitting)
        let dimension = model.featureDimension
        features.withUnsafeMutableBufferPointer { buffer in
            for row in images.indices {
                let vector = UnsafeMutableBufferPointer(rebasing: buffer[row * dimension ..< (row + 1) * dimension])
                let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
                if norm > 0 { for index in vector.indices { vector[index] /= norm } }
            }
        }
        return features
    }

    /// `count` images in, count×featureDimension globally average-pooled values out (not normalised).
    public func pooledFeatures(_ input: UnsafePointer<Float>, count: Int) -> [Float] {
        pooledFeatures(images: imagePointers(input, count: count))
    }

    /// Like `pooledFeatures(_:count:)` for images that lie anywhere in memory (`splitting` as in
    /// `embed(images:splitting:)`).
    public func pooledFeatures(images: [UnsafePointer<Float>], splitting: Bool = true) -> [Float] {
        let dimension = model.featureDimension
        var features = [Float](repeating: 0, count: images.count * dimension)
        features.withUnsafeMutableBufferPointer { buffer in
            guard let output = buffer.baseAddress else { return }
            for start in stride(from: 0, to: images.count, by: maxBatch) {
                let chunk = images[start ..< min(images.count, start + maxBatch)]
                run(chunk, pooled: output + start * dimension, splitting: splitting)
            }
        }
        return features
    }

    private func imagePointers(_ input: UnsafePointer<Float>, count: Int) -> [UnsafePointer<Float>] {
        (0..<max(0, count)).map { input + $0 * plan.inputCount }
    }

    /// The activation after the ReLU6 of a named layer (`conv1_relu`, `conv_dw_1_relu`,
    /// `conv_pw_6_relu`, ...), `[H][W][C]` for image 0 of `input`.
    public func activation(_ input: UnsafePointer<Float>, after name: String) throws -> [Float] {
        guard let layer = plan.layer(named: name) else { throw MobileNetError.unknownLayer(name) }
        return runLayers(input, through: layer)
    }

    // MARK: - Scheduling

    /// At most maxBatch images: each thread takes the next whole image until fewer images than
    /// threads are left (so a thread the system keeps waiting simply takes fewer); each of those is
    /// split across the threads when `splitting`, else run whole too.
    private func run(_ images: ArraySlice<UnsafePointer<Float>>, pooled: UnsafeMutablePointer<Float>, splitting: Bool) {
        let first = images.startIndex, count = images.count
        // Whole images while every thread gets one; the few left over (an odd batch on two cores)
        // are each split over all threads, so that no core idles while the last image runs.
        let whole = threads == 1 || !splitting ? count : count - count % threads
        let queue = WorkQueue(count: whole)
        parallel(whole) { member in
            let workspace = workspaces[member]
            while let image = queue.take() {
                let output = runWhole(images[first + image], workspace: workspace)
                averagePool(output, into: pooled + image * plan.featureDimension)
            }
        }
        for image in whole..<count {
            averagePool(runOne(images[first + image]), into: pooled + image * plan.featureDimension)
        }
    }

    /// One image on the calling thread: the early blocks interleaved, then the late ones whole.
    private func runWhole(_ input: UnsafePointer<Float>, workspace: Workspace) -> UnsafePointer<Float> {
        let early = schedule.earlyBlocks(plan)
        plan.runInterleaved(input, workspace: workspace, through: early, rows: 0..<plan.side(ofLayer: early),
                            output: workspace.output(early), step: schedule.interleaveStep, tileRows: schedule.tileRows)
        for index in early..<plan.blocks.count {
            let block = plan.blocks[index]
            plan.runBlock(index, workspace.output(index), output: workspace.output(index + 1), rows: 0..<block.side,
                          tileRows: schedule.tileRows(block), workspace: workspace)
        }
        return UnsafePointer(workspace.output(plan.blocks.count).data)
    }

    /// One image on all threads: each runs the early blocks interleaved for its share of the rows
    /// (with its own workspace, recomputing the few rows the shares have in common); then for every
    /// late block each computes the depthwise layer and takes groups of pointwise output channels.
    private func runOne(_ input: UnsafePointer<Float>) -> UnsafePointer<Float> {
        let early = schedule.earlyBlocks(plan), shared = workspaces[0]
        let side = plan.side(ofLayer: early), parts = min(threads, side)
        let bands = WorkQueue(count: parts)
        parallel(parts) { member in
            while let band = bands.take() {
                plan.runInterleaved(input, workspace: workspaces[member], through: early,
                                    rows: side * band / parts ..< side * (band + 1) / parts,
                                    output: shared.output(early), step: schedule.interleaveStep, tileRows: schedule.tileRows)
            }
        }
        for index in early..<plan.blocks.count {
            let block = plan.blocks[index]
            let width = schedule.pointwiseColumns(block.outputChannels, threads: threads)
            let pieces = WorkQueue(count: (block.outputChannels + width - 1) / width)
            parallel(pieces.count) { member in
                // Each thread computes the (small) depthwise layer whole, then takes output channels.
                let own = workspaces[member]
                plan.runDepthwise(index, shared.output(index), output: own.depthwise, zeros: own.zeros, rows: 0..<block.side)
                while let piece = pieces.take() {
                    let columns = piece * width ..< min(block.outputChannels, (piece + 1) * width)
                    plan.runPointwise(index, own.depthwise, output: shared.output(index + 1).data, pixels: 0..<block.pixels,
                                      columns: columns, workspace: own)
                }
            }
        }
        return UnsafePointer(shared.output(plan.blocks.count).data)
    }

    /// One image, layer after layer on the calling thread, up to and including `stop`; returns a copy
    /// of that layer's output (for `activation`, in scratch that keeps every layer whole).
    private func runLayers(_ input: UnsafePointer<Float>, through stop: NetworkPlan.Layer) -> [Float] {
        let workspace = Workspace(plan: plan, schedule: nil)
        plan.runFirst(input, output: workspace.output(0), rows: 0..<plan.firstSide)
        if stop == .first { return Array(UnsafeBufferPointer(start: workspace.output(0).data, count: plan.firstCount)) }
        for (index, block) in plan.blocks.enumerated() {
            // One tile, so that the whole depthwise output is left in `workspace.depthwise`.
            plan.runBlock(index, workspace.output(index), output: workspace.output(index + 1), rows: 0..<block.side,
                          tileRows: block.side, workspace: workspace)
            if stop == .depthwise(block: index) {
                return Array(UnsafeBufferPointer(start: workspace.depthwise, count: block.depthwiseCount))
            }
            if stop == .pointwise(block: index) {
                return Array(UnsafeBufferPointer(start: workspace.output(index + 1).data, count: block.outputCount))
            }
        }
        return []
    }

    /// Runs `body(member)` on up to `members` of this extractor's threads (see `ThreadTeam`).
    private func parallel(_ members: Int, _ body: (Int) -> Void) {
        team.run(members: min(threads, members), body)
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
}
