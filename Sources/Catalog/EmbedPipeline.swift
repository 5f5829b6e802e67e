import Dispatch
import FoundationEssentials
import MobileNet
import Synchronization

/// Turns an image file into model input: writes size x size x 3 floats at the pointer and returns the
/// image's original width and height, or throws an error whose description is shown to users.
typealias ImageFileDecoder = @Sendable (_ path: String, _ size: Int, _ into: UnsafeMutablePointer<Float>) throws -> (width: Int, height: Int)

/// The result of embedding one file.
struct EmbedOutcome: Sendable {
    var width = 0
    var height = 0
    var error: String?
}

/// Embeds many image files with `workers` threads, each decoding a batch and then running the model
/// on it with its own `FeatureExtractor`. While one worker runs its forward pass the other decodes,
/// so decoding overlaps the model across the cores. Each extractor gets cores / workers threads (and
/// sets OpenBLAS to one), so workers and model threads together never oversubscribe the cores.
struct EmbedPipeline {
    let model: MobileNetModel
    let batchSize: Int
    let workers: Int
    let decode: ImageFileDecoder

    /// Worker count: one per core unless `SIMILARITY_INDEX_WORKERS` says otherwise.
    static var defaultWorkers: Int {
        if let text = ProcessInfo.processInfo.environment["SIMILARITY_INDEX_WORKERS"], let value = Int(text), value > 0 {
            return value
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Returns one row of `featureDimension` floats per file (zeros where it failed) and the outcomes.
    func run(_ files: [String], progress: @Sendable (Int) -> Void) -> (vectors: [Float], outcomes: [EmbedOutcome]) {
        let dimension = model.featureDimension
        let results = ResultBuffer(count: files.count, dimension: dimension)
        let cursor = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let workerCount = max(1, min(workers, (files.count + batchSize - 1) / max(batchSize, 1)))
        let modelThreads = max(1, ProcessInfo.processInfo.activeProcessorCount / workerCount)
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            work(files, results: results, cursor: cursor, modelThreads: modelThreads) { finished in
                progress(done.add(finished, ordering: .relaxed).newValue)
            }
        }
        return (results.vectors(), results.outcomes)
    }

    private func work(_ files: [String], results: ResultBuffer, cursor: borrowing Atomic<Int>, modelThreads: Int,
                      finished: (Int) -> Void) {
        let extractor = FeatureExtractor(model: model, maxBatch: batchSize, threads: modelThreads)
        let size = model.inputSize
        let imageFloats = size * size * 3
        let input = UnsafeMutablePointer<Float>.allocate(capacity: batchSize * imageFloats)
        defer { input.deallocate() }
        var decoded: [Int] = []
        while true {
            let start = cursor.add(batchSize, ordering: .relaxed).oldValue
            guard start < files.count else { return }
            let end = min(files.count, start + batchSize)
            decoded.removeAll(keepingCapacity: true)
            for index in start..<end {
                do {
                    let info = try decode(files[index], size, input + decoded.count * imageFloats)
                    results.setOutcome(EmbedOutcome(width: info.width, height: info.height), at: index)
                    decoded.append(index)
                } catch {
                    results.setOutcome(EmbedOutcome(error: String(describing: error)), at: index)
                }
            }
            if !decoded.isEmpty {
                let vectors = extractor.embed(input, count: decoded.count)
                for (slot, index) in decoded.enumerated() { results.setVector(vectors, slot: slot, at: index) }
            }
            finished(end - start)
        }
    }
}

/// Rows and outcomes written by several workers, each to its own indices.
private final class ResultBuffer: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Float>
    private let dimension: Int
    private let lock = Mutex<[EmbedOutcome]>([])

    init(count: Int, dimension: Int) {
        self.dimension = dimension
        storage = .allocate(capacity: count * dimension)
        storage.initialize(repeating: 0)
        lock.withLock { $0 = Array(repeating: EmbedOutcome(), count: count) }
    }

    deinit { storage.deallocate() }

    func setOutcome(_ outcome: EmbedOutcome, at index: Int) {
        lock.withLock { $0[index] = outcome }
    }

    func setVector(_ vectors: [Float], slot: Int, at index: Int) {
        vectors.withUnsafeBufferPointer { source in
            (storage.baseAddress! + index * dimension).update(from: source.baseAddress! + slot * dimension, count: dimension)
        }
    }

    func vectors() -> [Float] { Array(storage) }
    var outcomes: [EmbedOutcome] { lock.withLock { $0 } }
}
