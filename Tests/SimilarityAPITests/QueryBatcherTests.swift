import Foundation
import Imaging
import MobileNet
import SimilarityAPI
import Testing

/// Concurrent find-similar requests share forward passes; each must still get its own image's vector.
@Suite struct QueryBatcherTests {
    static let photos = (1...12).map { String(format: "p%04d.jpg", $0) }

    @Test func concurrentCallsGetTheSameVectorsAsLoneCalls() throws {
        let model = try MobileNetModel(contentsOf: APIFixture.modelPath)
        let batcher = QueryBatcher(model: model, maxBatch: 4)
        let images = try Self.photos.map { try APIFixture.photo($0) }
        let alone = try images.map { try batcher.embed(imageBytes: $0) }
        #expect(batcher.totals == (passes: images.count, images: images.count))

        let together = Locked<[Int: [Float]]>([:])
        let group = DispatchGroup()
        for round in 0..<3 {
            for (index, image) in images.enumerated() {
                group.enter()
                Thread {
                    defer { group.leave() }
                    if let vector = try? batcher.embed(imageBytes: image) {
                        together.update { $0[round * images.count + index] = vector }
                    }
                }.start()
            }
        }
        group.wait()
        let results = together.get()
        #expect(results.count == 3 * images.count)
        for (key, vector) in results {
            let expected = alone[key % images.count]
            let difference = zip(vector, expected).map { abs($0 - $1) }.max() ?? 1
            #expect(vector.count == 1024 && difference < 1e-4, "image \(key % images.count)")
        }
        let totals = batcher.totals
        #expect(totals.images == 4 * images.count)
        #expect(totals.passes <= totals.images)
    }

    @Test func badImagesFailAloneWithoutStallingOthers() throws {
        let model = try MobileNetModel(contentsOf: APIFixture.modelPath)
        let batcher = QueryBatcher(model: model)
        #expect(throws: ImageError.self) { try batcher.embed(imageBytes: Array("not an image".utf8)) }
        #expect(throws: ImageError.self) { try batcher.embed(imageBytes: []) }
        #expect(try batcher.embed(imageBytes: APIFixture.photo("p0001.jpg")).count == 1024)
        #expect(batcher.totals.images == 1)
    }
}
