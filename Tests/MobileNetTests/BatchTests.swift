import MobileNet
import Testing

/// Batches, chunking and threads give the same rows as images embedded one at a time.
@Suite struct BatchTests {
    /// The four golden images, then the same four mirrored left-right: eight different inputs.
    static func eightImages() throws -> [Float] {
        let side = 224
        var images: [Float] = []
        for name in GoldenData.images { images += try GoldenData.input(name) }
        for name in GoldenData.images {
            let image = try GoldenData.input(name)
            for y in 0..<side {
                for x in (0..<side).reversed() { images += image[(y * side + x) * 3 ..< (y * side + x) * 3 + 3] }
            }
        }
        return images
    }

    @Test(arguments: [(8, 2), (3, 2), (8, 1), (5, 3)])
    func batchMatchesOneAtATime(maxBatch: Int, threads: Int) throws {
        let model = try GoldenData.alpha100.get()
        let images = try Self.eightImages()
        let count = images.count / (224 * 224 * 3)
        let batched = FeatureExtractor(model: model, maxBatch: maxBatch, threads: threads)
        let single = FeatureExtractor(model: model, maxBatch: 1, threads: 1)
        let rows = images.withUnsafeBufferPointer { batched.pooledFeatures($0.baseAddress!, count: count) }
        let dimension = model.featureDimension
        try #require(rows.count == count * dimension)
        for image in 0..<count {
            let alone = images.withUnsafeBufferPointer {
                single.pooledFeatures($0.baseAddress! + image * 224 * 224 * 3, count: 1)
            }
            let (maxAbsDiff, _) = GoldenData.compare(Array(rows[image * dimension ..< (image + 1) * dimension]), alone)
            #expect(maxAbsDiff <= 1e-4, "image \(image): max abs diff \(maxAbsDiff)")
        }
    }

    /// Without splitting, a batch smaller than the thread count (and an odd one's last image) runs
    /// whole on one thread: the rows are those of the split run.
    @Test(arguments: [1, 3])
    func unsplitImagesMatchSplitOnes(count: Int) throws {
        let model = try GoldenData.alpha100.get()
        let images = try Self.eightImages()
        let floats = 224 * 224 * 3, dimension = model.featureDimension
        let extractor = FeatureExtractor(model: model, maxBatch: 8, threads: 2)
        let (split, whole) = images.withUnsafeBufferPointer { buffer in
            let pointers = (0..<count).map { buffer.baseAddress! + $0 * floats }
            return (extractor.embed(images: pointers, splitting: true), extractor.embed(images: pointers, splitting: false))
        }
        try #require(split.count == count * dimension && whole.count == count * dimension)
        let (maxAbsDiff, _) = GoldenData.compare(split, whole)
        #expect(maxAbsDiff <= 1e-6, "max abs diff \(maxAbsDiff)")
    }

    /// Images in separate buffers, passed by pointer in another order, give the rows of the
    /// contiguous batch in that order (the service's batches are built this way, without copies).
    @Test func scatteredImagesMatchTheContiguousBatch() throws {
        let model = try GoldenData.alpha100.get()
        let images = try Self.eightImages()
        let floats = 224 * 224 * 3, count = images.count / floats, dimension = model.featureDimension
        let extractor = FeatureExtractor(model: model, maxBatch: 3)
        let contiguous = images.withUnsafeBufferPointer { extractor.embed($0.baseAddress!, count: count) }
        let order = Array((0..<count).reversed())
        let buffers = order.map { image in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: floats)
            images.withUnsafeBufferPointer { buffer.initialize(from: $0.baseAddress! + image * floats, count: floats) }
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        let scattered = extractor.embed(images: buffers.map { UnsafePointer($0) })
        try #require(scattered.count == count * dimension)
        for (row, image) in order.enumerated() {
            #expect(Array(scattered[row * dimension ..< (row + 1) * dimension])
                    == Array(contiguous[image * dimension ..< (image + 1) * dimension]), "image \(image)")
        }
    }

    /// One image split across 1...5 threads (uneven bands, shared rows recomputed) matches the golden vector.
    @Test(arguments: [1, 2, 3, 5])
    func singleImageAcrossThreads(threads: Int) throws {
        let model = try GoldenData.alpha100.get()
        let extractor = FeatureExtractor(model: model, maxBatch: 1, threads: threads)
        let input = try GoldenData.input("astronaut")
        let features = input.withUnsafeBufferPointer { extractor.pooledFeatures($0.baseAddress!, count: 1) }
        let (maxAbsDiff, cosine) = GoldenData.compare(features, try GoldenData.floats("mobilenet_1_0_224_astronaut.f32"))
        #expect(maxAbsDiff <= 1e-3 && cosine >= 0.99999, "max abs diff \(maxAbsDiff), cosine \(cosine)")
    }

    /// The early layers keep only rings of rows (wrapping many times per image, at band offsets that
    /// differ with the thread count); the activations keep every layer whole. Both give the same sums.
    @Test(arguments: [(1.0, 1), (1.0, 2), (1.0, 3), (0.25, 1), (0.25, 2)])
    func ringsMatchWholeLayers(alpha: Float, threads: Int) throws {
        let model = try (alpha == 1 ? GoldenData.alpha100 : GoldenData.alpha025).get()
        let extractor = FeatureExtractor(model: model, maxBatch: 2, threads: threads)
        let images = try Self.eightImages()
        let pixels = 7 * 7, dimension = model.featureDimension
        // The pointers are used inside `withUnsafeBufferPointer` only: `images` may be freed after it.
        try images.withUnsafeBufferPointer { buffer in
            for image in [2, 7] {
                let first = buffer.baseAddress!, start = first + image * 224 * 224 * 3
                let last = try extractor.activation(start, after: "conv_pw_13_relu")
                var expected = [Float](repeating: 0, count: dimension)
                for pixel in 0..<pixels {
                    for channel in 0..<dimension { expected[channel] += last[pixel * dimension + channel] }
                }
                expected = expected.map { $0 * (1 / Float(pixels)) }
                let alone = extractor.pooledFeatures(start, count: 1)
                let paired = Array(extractor.pooledFeatures(images: [start, first])[0..<dimension])
                #expect(alone == expected, "image \(image), one at a time: max abs diff \(GoldenData.compare(alone, expected).maxAbsDiff)")
                #expect(paired == expected, "image \(image), in a batch: max abs diff \(GoldenData.compare(paired, expected).maxAbsDiff)")
            }
        }
    }

    @Test func mirroredImagesDiffer() throws {
        let model = try GoldenData.alpha025.get()
        let images = try Self.eightImages()
        let rows = images.withUnsafeBufferPointer { FeatureExtractor(model: model).embed($0.baseAddress!, count: 8) }
        let dimension = model.featureDimension
        let (maxAbsDiff, _) = GoldenData.compare(Array(rows[0..<dimension]), Array(rows[4 * dimension ..< 5 * dimension]))
        #expect(maxAbsDiff > 1e-3)
    }

    @Test func embeddingsHaveUnitNorm() throws {
        let model = try GoldenData.alpha100.get()
        let images = try Self.eightImages()
        let rows = images.withUnsafeBufferPointer { FeatureExtractor(model: model).embed($0.baseAddress!, count: 8) }
        let dimension = model.featureDimension
        for image in 0..<8 {
            let norm = rows[image * dimension ..< (image + 1) * dimension].reduce(0) { $0 + Double($1) * Double($1) }
            #expect(abs(norm.squareRoot() - 1) < 1e-5)
        }
    }

    @Test func embeddingIsThePooledVectorScaled() throws {
        let model = try GoldenData.alpha100.get()
        let input = try GoldenData.input("chelsea")
        let extractor = FeatureExtractor(model: model)
        let pooled = input.withUnsafeBufferPointer { extractor.pooledFeatures($0.baseAddress!, count: 1) }
        let embedded = input.withUnsafeBufferPointer { extractor.embed($0.baseAddress!, count: 1) }
        let norm = pooled.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let (maxAbsDiff, _) = GoldenData.compare(pooled.map { $0 / norm }, embedded)
        #expect(maxAbsDiff < 1e-6)
    }

    @Test func emptyBatchGivesNoRows() throws {
        let extractor = FeatureExtractor(model: try GoldenData.alpha025.get())
        let input = [Float](repeating: 0, count: 224 * 224 * 3)
        #expect(input.withUnsafeBufferPointer { extractor.embed($0.baseAddress!, count: 0) }.isEmpty)
    }
}
