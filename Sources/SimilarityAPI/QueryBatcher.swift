import Dispatch
import Imaging
import MobileNet
import Synchronization

/// Turns shoppers' images into feature vectors, running the requests that arrive while a forward
/// pass is busy together as the next batch (dynamic batching without a timer).
///
/// Each caller decodes its own image on its own thread. The first caller with nobody ahead runs its
/// image at once, so a lone request never waits; callers that arrive meanwhile queue up and the
/// oldest of them runs the whole queue as one batch when the pass ends. One pass at a time uses the
/// extractor's threads, so concurrent requests never oversubscribe the cores.
///
/// A lone image is split over the cores (lowest latency) only while no other request is still
/// decoding; under load it runs whole on one core, which costs less CPU (see
/// `FeatureExtractor.embed(images:splitting:)`), and the other core decodes the requests that will
/// make up the next batch.
public final class QueryBatcher: Sendable {
    public let model: MobileNetModel
    public let limits: ImageLimits
    /// Most images in one forward pass.
    public let maxBatch: Int
    private let engine: Engine
    private let state = Mutex<State>(State())
    private let counters = Mutex<(passes: Int, images: Int)>((0, 0))

    /// Forward passes run and images embedded so far (their ratio is the mean batch size).
    public var totals: (passes: Int, images: Int) { counters.withLock { $0 } }

    private struct State {
        var queue: [Job] = []
        var leading = false
        /// Callers still decoding their image (not yet queued).
        var decoding = 0
    }

    public init(model: MobileNetModel, limits: ImageLimits = .default, maxBatch: Int = 8) {
        self.model = model
        self.limits = limits
        self.maxBatch = max(1, maxBatch)
        engine = Engine(model: model, maxBatch: self.maxBatch)
    }

    /// The unit feature vector of an encoded JPEG or PNG; throws `ImageError` for bad or oversized images.
    public func embed(imageBytes: [UInt8]) throws -> [Float] {
        let job = Job(floats: engine.imageFloats)
        defer { job.input.deallocate() }
        state.withLock { $0.decoding += 1 }
        do {
            _ = try ModelInput.prepare(imageBytes, size: model.inputSize, into: job.input, limits: limits)
        } catch {
            state.withLock { $0.decoding -= 1 }
            throw error
        }
        let leadsNow = state.withLock { state in
            state.decoding -= 1
            state.queue.append(job)
            if state.leading { return false }
            state.leading = true
            return true
        }
        if !leadsNow { job.wake.wait() }
        // Woken without features: this job is now the oldest in the queue and runs the next batch.
        if job.features == nil { runNextBatch() }
        return job.features ?? []
    }

    /// Runs the oldest queued jobs as one pass, then wakes them and hands the lead to the next job.
    private func runNextBatch() {
        let (batch, othersDecoding) = state.withLock { state in
            let count = min(maxBatch, state.queue.count)
            defer { state.queue.removeFirst(count) }
            return (Array(state.queue.prefix(count)), state.decoding > 0)
        }
        let features = engine.run(batch.map(\.input), splitting: !othersDecoding)
        counters.withLock { $0.passes += 1; $0.images += batch.count }
        let dimension = model.featureDimension
        for (index, job) in batch.enumerated() {
            job.features = Array(features[index * dimension ..< (index + 1) * dimension])
        }
        let next = state.withLock { state -> Job? in
            if state.queue.isEmpty { state.leading = false }
            return state.queue.first
        }
        for job in batch.dropFirst() { job.wake.signal() }
        next?.wake.signal()
    }

    /// One request's input and result; `features` is written by the batch runner before `wake`.
    private final class Job: @unchecked Sendable {
        let input: UnsafeMutablePointer<Float>
        var features: [Float]?
        let wake = DispatchSemaphore(value: 0)

        init(floats: Int) { input = .allocate(capacity: floats) }
    }

    /// The extractor, used only by the job leading the current batch.
    private final class Engine: @unchecked Sendable {
        let extractor: FeatureExtractor
        let imageFloats: Int

        init(model: MobileNetModel, maxBatch: Int) {
            extractor = FeatureExtractor(model: model, maxBatch: maxBatch)
            imageFloats = model.inputSize * model.inputSize * 3
        }

        /// The jobs' own inputs go straight into the forward pass (no copy into one batch buffer).
        func run(_ inputs: [UnsafeMutablePointer<Float>], splitting: Bool) -> [Float] {
            extractor.embed(images: inputs.map { UnsafePointer($0) }, splitting: splitting)
        }
    }
}
