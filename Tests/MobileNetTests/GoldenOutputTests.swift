import Foundation
import TestSupport
import MobileNet
import Testing

/// The forward pass against TensorFlow's outputs in ../shared/golden: max abs diff ≤ 1e-3, cosine ≥ 0.99999.
@Suite struct GoldenOutputTests {
    @Test(arguments: GoldenData.images, PointwiseEngine.allCases)
    func pooledFeaturesAlpha100(image: String, engine: PointwiseEngine) throws {
        try checkPooled(model: GoldenData.alpha100.get(), engine: engine, image: image, golden: "mobilenet_1_0_224_\(image).f32")
    }

    @Test(arguments: GoldenData.images, PointwiseEngine.allCases)
    func pooledFeaturesAlpha025(image: String, engine: PointwiseEngine) throws {
        try checkPooled(model: GoldenData.alpha025.get(), engine: engine, image: image, golden: "mobilenet_2_5_224_\(image).f32")
    }

    @Test(arguments: GoldenData.intermediateLayers, PointwiseEngine.allCases)
    func intermediateActivationAlpha100(layer: String, engine: PointwiseEngine) throws {
        let extractor = FeatureExtractor(model: try GoldenData.alpha100.get(), maxBatch: 1, engine: engine)
        let input = try GoldenData.input("gradient")
        let activation = try input.withUnsafeBufferPointer { try extractor.activation($0.baseAddress!, after: layer) }
        let expected = try GoldenData.floats("mobilenet_1_0_224_gradient_\(layer).f32")
        try #require(activation.count == expected.count)
        let (maxAbsDiff, _) = GoldenData.compare(activation, expected)
        #expect(maxAbsDiff <= 1e-3, "\(layer): max abs diff \(maxAbsDiff)")
    }

    /// Both panel widths (whichever this CPU prefers) match TensorFlow, and the native kernel gives
    /// the same bits with either: the tiles only regroup output channels, never the sums.
    @Test(arguments: [GoldenData.alpha100Path, GoldenData.alpha025Path])
    func tilingsGiveTheSameBits(path: String) throws {
        let models = try PointwiseTiling.allCases.map { try MobileNetModel(contentsOf: path, tiling: $0) }
        #expect(models.map(\.tiling) == PointwiseTiling.allCases)
        let prefix = models[0].alpha == 1 ? "mobilenet_1_0_224" : "mobilenet_2_5_224"
        for image in GoldenData.images {
            let input = try GoldenData.input(image)
            let features = models.map { model in
                input.withUnsafeBufferPointer {
                    FeatureExtractor(model: model, maxBatch: 1, engine: .native).pooledFeatures($0.baseAddress!, count: 1)
                }
            }
            #expect(features[0] == features[1], "\(image): the tilings disagree")
            let (maxAbsDiff, _) = GoldenData.compare(features[0], try GoldenData.floats("\(prefix)_\(image).f32"))
            #expect(maxAbsDiff <= 1e-3, "\(image): max abs diff \(maxAbsDiff)")
            for model in models {
                let viaBLAS = input.withUnsafeBufferPointer {
                    FeatureExtractor(model: model, maxBatch: 1, engine: .blas).pooledFeatures($0.baseAddress!, count: 1)
                }
                #expect(GoldenData.compare(viaBLAS, features[0]).maxAbsDiff <= 1e-4, "\(image): blas on \(model.tiling)")
            }
        }
    }

    @Test func inferredShapes() throws {
        let full = try GoldenData.alpha100.get(), quarter = try GoldenData.alpha025.get()
        #expect(full.alpha == 1.0 && full.featureDimension == 1024 && full.inputSize == 224)
        #expect(quarter.alpha == 0.25 && quarter.featureDimension == 256 && quarter.inputSize == 224)
    }

    private func checkPooled(model: MobileNetModel, engine: PointwiseEngine, image: String, golden: String) throws {
        let extractor = FeatureExtractor(model: model, maxBatch: 1, engine: engine)
        let input = try GoldenData.input(image)
        let features = input.withUnsafeBufferPointer { extractor.pooledFeatures($0.baseAddress!, count: 1) }
        let expected = try GoldenData.floats(golden)
        try #require(features.count == expected.count)
        let (maxAbsDiff, cosine) = GoldenData.compare(features, expected)
        #expect(maxAbsDiff <= 1e-3, "\(golden): max abs diff \(maxAbsDiff)")
        #expect(cosine >= 0.99999, "\(golden): cosine \(cosine)")
    }
}

/// Width multipliers without golden outputs (0.5 and 0.75 exercise 16- and 24-channel vector tails)
/// against the plain reference network, on synthetic weights.
@Suite struct ReferenceNetworkTests {
    /// The reference itself reproduces TensorFlow on real weights.
    @Test func referenceMatchesGolden() throws {
        let features = try ReferenceNetwork(path: GoldenData.alpha025Path).pooledFeatures(try GoldenData.input("coffee"))
        let (maxAbsDiff, cosine) = GoldenData.compare(features, try GoldenData.floats("mobilenet_2_5_224_coffee.f32"))
        #expect(maxAbsDiff <= 1e-3 && cosine >= 0.99999, "max abs diff \(maxAbsDiff), cosine \(cosine)")
    }

    @Test(arguments: [Float(0.75), 0.5])
    func syntheticWeights(alpha: Float) throws {
        let folder = try TestPaths.makeTemporaryDirectory("mobilenet-synthetic")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("weights.h5").path
        try WeightFileForge.writeSynthetic(alpha: alpha, to: URL(fileURLWithPath: path))
        let model = try MobileNetModel(contentsOf: path)
        #expect(model.alpha == alpha && model.featureDimension == Int(1024 * alpha))
        let input = try GoldenData.input("chelsea")
        let expected = try ReferenceNetwork(path: path).pooledFeatures(input)
        // Features spread over (0, 6): neither collapsed to zero nor saturated.
        #expect(expected.filter { $0 > 0.05 && $0 < 5.95 }.count > expected.count / 2)
        for engine in PointwiseEngine.allCases {
            let features = input.withUnsafeBufferPointer {
                FeatureExtractor(model: model, maxBatch: 1, engine: engine).pooledFeatures($0.baseAddress!, count: 1)
            }
            let (maxAbsDiff, cosine) = GoldenData.compare(features, expected)
            #expect(maxAbsDiff <= 1e-3 && cosine >= 0.99999, "\(engine): max abs diff \(maxAbsDiff), cosine \(cosine)")
        }
    }
}
