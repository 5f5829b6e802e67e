import Foundation
import HDF5
import MobileNet
import TestSupport
import Testing

/// Damaged, incomplete and foreign weight files give an error that names the problem.
@Suite struct WeightFileErrorTests {
    /// Loads `path`, expecting a `MobileNetError`; returns it.
    private func loadError(_ path: String) -> MobileNetError? {
        do {
            _ = try MobileNetModel(contentsOf: path)
            return nil
        } catch {
            return error as? MobileNetError
        }
    }

    private func withTemporaryFile(_ body: (URL) throws -> Void) throws {
        let folder = try TestPaths.makeTemporaryDirectory("mobilenet")
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder.appendingPathComponent("weights.h5"))
    }

    @Test func truncatedFile() throws {
        try withTemporaryFile { url in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: GoldenData.alpha025Path))
            try bytes.prefix(bytes.count / 2).write(to: url)
            let error = try #require(loadError(url.path))
            guard case .cannotOpen(let path, let reason) = error else { Issue.record("got \(error)"); return }
            #expect(path == url.path)
            #expect(reason.contains("truncated") && reason.contains("(\(bytes.count / 2) bytes)"))
            #expect(error.description.contains(url.path))
        }
    }

    @Test func missingFileAndNonHDF5File() throws {
        let missing = loadError("/nonexistent/weights.h5")
        #expect(missing == .cannotOpen(path: "/nonexistent/weights.h5", reason: "no such file"))
        let png = TestPaths.golden.appendingPathComponent("chelsea.png").path
        #expect(loadError(png) == .cannotOpen(path: png, reason: "it is not an HDF5 file"))
    }

    @Test func fileMissingALayer() throws {
        try withTemporaryFile { url in
            try WeightFileForge.copy(GoldenData.alpha025Path, to: url, keepGroup: { $0 != "conv_pw_7" },
                                     keepListed: { $0 != "conv_pw_7" })
            let error = loadError(url.path)
            #expect(error == .missingLayer("conv_pw_7"))
            #expect(error?.description.contains("conv_pw_7") == true)
        }
    }

    @Test func listedLayerWithoutItsGroup() throws {
        try withTemporaryFile { url in
            try WeightFileForge.copy(GoldenData.alpha025Path, to: url, keepGroup: { $0 != "conv_dw_13_bn" })
            #expect(loadError(url.path) == .missingLayer("conv_dw_13_bn"))
        }
    }

    @Test func layerMissingAWeight() throws {
        try withTemporaryFile { url in
            try WeightFileForge.copy(GoldenData.alpha025Path, to: url, edit: { layer, weight, tensor in
                layer == "conv_dw_3_bn" && weight.hasSuffix("moving_variance:0") ? nil : tensor
            })
            #expect(loadError(url.path) == .missingWeight(layer: "conv_dw_3_bn", weight: "moving_variance:0"))
        }
    }

    @Test func weightOfTheWrongShape() throws {
        try withTemporaryFile { url in
            try WeightFileForge.copy(GoldenData.alpha025Path, to: url, edit: { layer, _, tensor in
                layer == "conv_pw_5" ? FloatArray(shape: [1, 1, 64, 32], values: Array(tensor.values.prefix(64 * 32))) : tensor
            })
            #expect(loadError(url.path) == .unexpectedShape(name: "conv_pw_5/kernel:0", expected: [1, 1, 64, 64], found: [1, 1, 64, 32]))
        }
    }

    @Test func anotherArchitecture() throws {
        try withTemporaryFile { url in
            try WeightFileForge.writeResNetLike(to: url)
            let error = try #require(loadError(url.path))
            guard case .notMobileNetV1(let why) = error else { Issue.record("got \(error)"); return }
            #expect(why.contains("conv1_pad"))
            #expect(error.description.contains("not a Keras MobileNet v1 weight file"))
        }
    }

    @Test func hdf5FileWithoutKerasWeights() throws {
        try withTemporaryFile { url in
            try WeightFileForge.writeFeatureStoreLike(to: url)
            guard case .notMobileNetV1 = try #require(loadError(url.path)) else { Issue.record("wrong error"); return }
        }
    }

    @Test func unsupportedWidthMultiplier() throws {
        try withTemporaryFile { url in
            try WeightFileForge.copy(GoldenData.alpha025Path, to: url, edit: { layer, _, tensor in
                layer == "conv1" ? FloatArray(shape: [3, 3, 3, 4], values: Array(tensor.values.prefix(108))) : tensor
            })
            guard case .notMobileNetV1(let why) = try #require(loadError(url.path)) else { Issue.record("wrong error"); return }
            #expect(why.contains("4 filters"))
        }
    }

    @Test func fileWithClassifierLoadsAndGivesTheSameFeatures() throws {
        let withTop = try MobileNetModel(contentsOf: GoldenData.alpha025WithTopPath)
        let noTop = try GoldenData.alpha025.get()
        #expect(withTop.alpha == 0.25 && withTop.featureDimension == 256)
        let input = try GoldenData.input("coffee")
        let a = input.withUnsafeBufferPointer { FeatureExtractor(model: withTop).pooledFeatures($0.baseAddress!, count: 1) }
        let b = input.withUnsafeBufferPointer { FeatureExtractor(model: noTop).pooledFeatures($0.baseAddress!, count: 1) }
        #expect(a == b)
    }

    @Test func unknownActivationLayer() throws {
        let extractor = FeatureExtractor(model: try GoldenData.alpha025.get())
        let input = [Float](repeating: 0, count: 224 * 224 * 3)
        #expect(throws: MobileNetError.unknownLayer("conv_pw_14_relu")) {
            try input.withUnsafeBufferPointer { try extractor.activation($0.baseAddress!, after: "conv_pw_14_relu") }
        }
    }
}
