import CBLAS
import Dispatch
import Foundation

/// Runs MobileNet v1 on batches of images. Owns its scratch buffers, so use one per thread.
///
/// Work is split between `threads` threads of its own: a single image layer by layer (rows of each
/// block, or output channels of the small late ones), a batch image by image. OpenBLAS is set to one
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
        let plan = NetworkPlan(model, engine: engine), schedule = Schedule(plan)
        let groupSize = (self.maxBatch + self.threads - 1) / self.threads
        workspaces = (0..<self.threads).map { _ in
            Workspace(plan: plan, tailStart: schedule.tailStart, groupSize: groupSize)
        }
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

    /// `count` ≤ maxBatch images: one image is split across the threads, more are shared out.
    private func run(_ input: UnsafePointer<Float>, count: Int, pooled: UnsafeMutablePointer<Float>) {
        if count == 1 {
            let (output, _) = runOne(input, stoppingAfter: nil)
            averagePool(output, images: 1, into: pooled)
            return
        }
        let lanes = min(threads, count)
        parallel(lanes) { lane in
            let images = Self.share(0..<count, part: lane, of: lanes)
            runGroup(input + images.lowerBound * plan.inputCount, count: images.count, workspace: workspaces[lane],
                     pooled: pooled + images.lowerBound * plan.featureDimension)
        }
    }

    /// One image, every layer split between the threads; stops after `stop` (nil: the last block).
    /// Returns the buffer holding that layer's output and its length.
    private func runOne(_ input: UnsafePointer<Float>, stoppingAfter stop: NetworkPlan.Layer?) -> (UnsafePointer<Float>, Int) {
        let workspace = workspaces[0]
        let parts = threads
        var source = workspace.imageA, target = workspace.imageB
        parallel(parts) { part in
            plan.runFirst(input, output: source, rows: Self.share(0..<plan.firstSide, part: part, of: parts))
        }
        if stop == .first { return (UnsafePointer(source), plan.firstCount) }
        for (index, block) in plan.blocks.enumerated() {
            if block.pixels >= schedule.rowSplitPixels || parts == 1 {
                let tileRows = schedule.tileRows(block)
                parallel(parts) { part in
                    plan.runBlock(index, source, scratch: workspace.depthwise, output: target, zeros: workspace.zeros,
                                  rows: Self.share(0..<block.side, part: part, of: parts), tileRows: tileRows)
                }
            } else {
                parallel(parts) { part in
                    plan.runDepthwise(index, source, output: workspace.depthwise, zeros: workspace.zeros,
                                      rows: Self.share(0..<block.side, part: part, of: parts))
                }
                parallel(parts) { part in
                    plan.runPointwise(index, workspace.depthwise, output: target, pixels: 0..<block.pixels,
                                      columns: Self.shareColumns(block.outputChannels, part: part, of: parts))
                }
            }
            if stop == .depthwise(block: index) { return (UnsafePointer(workspace.depthwise), block.depthwiseCount) }
            if stop == .pointwise(block: index) { return (UnsafePointer(target), block.outputCount) }
            swap(&source, &target)
        }
        return (UnsafePointer(source), plan.blocks.last?.outputCount ?? plan.firstCount)
    }

    /// `count` images on the calling thread: the early blocks image by image, the tail on all at once.
    private func runGroup(_ input: UnsafePointer<Float>, count: Int, workspace: Workspace, pooled: UnsafeMutablePointer<Float>) {
        let tailStart = schedule.tailStart
        let headOutputCount = tailStart > 0 ? plan.blocks[tailStart - 1].outputCount : plan.firstCount
        for image in 0..<count {
            let slot = workspace.groupA + image * headOutputCount
            var source = tailStart > 0 ? workspace.imageA : slot
            var target = workspace.imageB
            plan.runFirst(input + image * plan.inputCount, output: source, rows: 0..<plan.firstSide)
            for index in 0..<tailStart {
                let block = plan.blocks[index]
                let output = index == tailStart - 1 ? slot : target
                plan.runBlock(index, source, scratch: workspace.depthwise, output: output, zeros: workspace.zeros,
                              rows: 0..<block.side, tileRows: schedule.tileRows(block))
                target = source
                source = output
            }
        }
        var source = workspace.groupA, target = workspace.groupB
        for index in tailStart..<plan.blocks.count {
            let block = plan.blocks[index]
            let inputCount = block.geometry.height * block.geometry.width * block.inputChannels
            for image in 0..<count {
                plan.runDepthwise(index, source + image * inputCount, output: workspace.depthwise + image * block.depthwiseCount,
                                  zeros: workspace.zeros, rows: 0..<block.side)
            }
            plan.runPointwise(index, workspace.depthwise, output: target, pixels: 0..<count * block.pixels,
                              columns: 0..<block.outputChannels)
            swap(&source, &target)
        }
        averagePool(source, images: count, into: pooled)
    }

    /// Global average pooling of the last block's output for `images` images.
    private func averagePool(_ data: UnsafePointer<Float>, images: Int, into output: UnsafeMutablePointer<Float>) {
        guard let last = plan.blocks.last else { return }
        let channels = last.outputChannels, pixels = last.pixels
        let scale = 1 / Float(pixels)
        for image in 0..<images {
            let out = output + image * channels
            out.initialize(repeating: 0, count: channels)
            for pixel in 0..<pixels {
                let row = data + (image * pixels + pixel) * channels
                var c = 0
                while c + 8 <= channels {
                    (out + c).store((out + c).vector(SIMD8<Float>.self) + (row + c).vector(SIMD8<Float>.self))
                    c += 8
                }
            }
            for c in 0..<channels { out[c] *= scale }
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

    /// Part `part` of `parts` nearly equal consecutive pieces of `range`.
    private static func share(_ range: Range<Int>, part: Int, of parts: Int) -> Range<Int> {
        let count = range.count
        return range.lowerBound + count * part / parts ..< range.lowerBound + count * (part + 1) / parts
    }

    /// Like `share`, but cut at multiples of 32 channels (the pointwise kernel's panel width).
    private static func shareColumns(_ channels: Int, part: Int, of parts: Int) -> Range<Int> {
        let width = NativePointwise.panelWidth
        let cut = { (index: Int) in index == parts ? channels : (channels * index / parts) / width * width }
        return cut(part)..<cut(part + 1)
    }
}

private struct UncheckedWork: @unchecked Sendable {
    let body: (Int) -> Void
}

/// Tuning of how the work is split (measured on a 2-core AVX-512 machine; see notes/model.md).
struct Schedule {
    /// First block run on a whole group of images rather than image by image.
    let tailStart: Int
    /// Blocks with at least this many output pixels split rows between threads (depthwise and
    /// pointwise fused); smaller ones split the pointwise layer's output channels.
    let rowSplitPixels = 784
    /// Pixels per fused depthwise → pointwise tile.
    let tilePixels = 1024

    init(_ plan: NetworkPlan) {
        let limit = Int(ProcessInfo.processInfo.environment["MN_TAIL_SIDE"] ?? "14") ?? 14
        tailStart = plan.blocks.firstIndex { $0.side <= limit } ?? plan.blocks.count
    }

    func tileRows(_ block: NetworkPlan.Block) -> Int { max(1, tilePixels / block.side) }
}
