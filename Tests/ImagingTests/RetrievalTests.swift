import Foundation
import Testing
import Imaging
import MobileNet
import TestSupport

/// End to end with the real model: photos of ../shared/bench/dev/catalog and their transformed queries
/// (grayscale JPEG, PNG, flips, crops, rotations, brightness, heavy JPEG compression) go through
/// `ModelInput` and MobileNet, and each query's nearest catalog photo by cosine must be its own.
@Suite struct RetrievalTests {
    /// The first 24 catalog photos are the candidates; the first 8 of them with queries are the sample.
    static let candidateCount = 24, sampleCount = 8

    @Test("each transformed query ranks its own catalog photo first")
    func queriesFindTheirPhoto() throws {
        let dev = TestPaths.benchDev
        let candidates = Array(try FileManager.default.contentsOfDirectory(atPath: dev.appendingPathComponent("catalog").path)
            .filter { $0.hasSuffix(".jpg") }.sorted().prefix(Self.candidateCount))
        let truth = try String(contentsOf: dev.appendingPathComponent("ground_truth.csv"), encoding: .utf8)
            .split(whereSeparator: \.isNewline).dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.count == 3 && candidates.contains($0[1]) }
        let sample = Set(Set(truth.map { $0[1] }).sorted().prefix(Self.sampleCount))
        let queries = truth.filter { sample.contains($0[1]) }
        let transforms = Set(queries.map { $0[2] })
        try #require(queries.count >= 20 && transforms.isSuperset(of: ["png", "grayscale", "hflip", "rotate_crop"]))

        let extractor = FeatureExtractor(model: try MobileNetModel(contentsOf: TestPaths.defaultModel.path), maxBatch: 16)
        let catalog = try embed(candidates.map { dev.appendingPathComponent("catalog/\($0)").path }, extractor)
        let found = try embed(queries.map { dev.appendingPathComponent("queries/\($0[0])").path }, extractor)
        let dimension = extractor.model.featureDimension
        for (index, query) in queries.enumerated() {
            let vector = found[index * dimension..<(index + 1) * dimension]
            let scores = candidates.indices.map { c in
                zip(vector, catalog[c * dimension..<(c + 1) * dimension]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            }
            let best = scores.indices.max { scores[$0] < scores[$1] }!
            #expect(candidates[best] == query[1], "\(query[0]) (\(query[2])) ranked \(candidates[best]) first, not \(query[1])")
        }
    }

    private func embed(_ paths: [String], _ extractor: FeatureExtractor) throws -> [Float] {
        let size = extractor.model.inputSize, stride = size * size * 3
        var input = [Float](repeating: 0, count: paths.count * stride)
        try input.withUnsafeMutableBufferPointer { buffer in
            for (i, path) in paths.enumerated() {
                _ = try ModelInput.prepare(fileAt: path, size: size, into: buffer.baseAddress! + i * stride)
            }
        }
        return input.withUnsafeBufferPointer { extractor.embed($0.baseAddress!, count: paths.count) }
    }
}
