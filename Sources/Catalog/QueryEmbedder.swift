import Imaging
import MobileNet
import Synchronization

/// Turns a shopper's image bytes into a unit feature vector. Safe to call from many threads: each
/// call borrows a `FeatureExtractor` from a small pool (creating one when none is free), so
/// concurrent calls never share scratch buffers.
public final class QueryEmbedder: Sendable {
    public let model: MobileNetModel
    public let limits: ImageLimits
    private let idle = Mutex<[ExtractorBox]>([])

    public init(model: MobileNetModel, limits: ImageLimits = .default) {
        self.model = model
        self.limits = limits
    }

    /// The feature vector of an encoded JPEG or PNG; throws `ImageError` for bad or oversized images.
    public func embed(imageBytes: [UInt8]) throws -> [Float] {
        let size = model.inputSize
        let input = UnsafeMutablePointer<Float>.allocate(capacity: size * size * 3)
        defer { input.deallocate() }
        _ = try ModelInput.prepare(imageBytes, size: size, into: input, limits: limits)
        return withExtractor { $0.embed(input, count: 1) }
    }

    /// The feature vector of an image file.
    public func embed(fileAt path: String) throws -> [Float] {
        let size = model.inputSize
        let input = UnsafeMutablePointer<Float>.allocate(capacity: size * size * 3)
        defer { input.deallocate() }
        _ = try ModelInput.prepare(fileAt: path, size: size, into: input, limits: limits)
        return withExtractor { $0.embed(input, count: 1) }
    }

    private func withExtractor<T>(_ body: (FeatureExtractor) -> T) -> T {
        let box = idle.withLock { $0.popLast() } ?? ExtractorBox(FeatureExtractor(model: model, maxBatch: 1))
        defer { idle.withLock { $0.append(box) } }
        return body(box.extractor)
    }
}

/// A FeatureExtractor moved between threads through the pool; only one thread uses it at a time.
private final class ExtractorBox: @unchecked Sendable {
    let extractor: FeatureExtractor
    init(_ extractor: FeatureExtractor) { self.extractor = extractor }
}
