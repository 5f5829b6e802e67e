import Foundation
import HDF5
import TestSupport
import Testing

/// Reads the real Keras 2 MobileNet weight files in ../shared/models.
@Suite struct WeightFileTests {
    static let alpha100 = TestPaths.sharedModels.appendingPathComponent("mobilenet_1_0_224_tf_no_top.h5").path
    static let alpha025 = TestPaths.sharedModels.appendingPathComponent("mobilenet_2_5_224_tf_no_top.h5").path
    static let alpha025WithTop = TestPaths.sharedModels.appendingPathComponent("mobilenet_2_5_224_tf.h5").path

    @Test(arguments: [alpha100, alpha025])
    func layerNamesOfNoTopFiles(path: String) throws {
        let file = try HDF5File.openReadOnly(path)
        let names = try file.root.stringsAttribute("layer_names")
        #expect(names.count == 82)
        #expect(Array(names.prefix(4)) == ["input_1", "conv1", "conv1_bn", "conv1_relu"])
        #expect(names.last == "conv_pw_13_relu")
        // Every layer has a group of its own.
        for name in names { #expect(file.root.exists(name)) }
    }

    @Test func withTopFileListsItsClassifier() throws {
        let names = try HDF5File.openReadOnly(Self.alpha025WithTop).root.stringsAttribute("layer_names")
        #expect(names.count == 88)
        #expect(names.contains("conv_preds"))
    }

    @Test func variableLengthRootAttributes() throws {
        let root = try HDF5File.openReadOnly(Self.alpha100).root
        #expect(try root.stringAttribute("backend") == "tensorflow")
        #expect(try root.stringAttribute("keras_version") == "2.0.4")
    }

    @Test(arguments: [(alpha100, 32), (alpha025, 8)])
    func firstConvolutionKernel(path: String, filters: Int) throws {
        let kernel = try HDF5File.openReadOnly(path).root.readFloats("conv1/conv1/kernel:0")
        #expect(kernel.shape == [3, 3, 3, filters])
        #expect(kernel.values.count == 27 * filters)
        #expect(kernel.values.allSatisfy { $0.isFinite })
        #expect(kernel.values.contains { $0 != 0 })
    }

    @Test func batchNormWeightNamesAndValues() throws {
        let layer = try HDF5File.openReadOnly(Self.alpha025).root.openGroup("conv1_bn")
        let weightNames = try layer.stringsAttribute("weight_names")
        #expect(weightNames == [
            "conv1_bn/gamma:0", "conv1_bn/beta:0", "conv1_bn/moving_mean:0", "conv1_bn/moving_variance:0",
        ])
        for name in weightNames {
            let weights = try layer.readFloats(name)
            #expect(weights.shape == [8])
        }
        #expect(try layer.readFloats("conv1_bn/moving_variance:0").values.allSatisfy { $0 > 0 })
        #expect(try layer.memberNames() == ["conv1_bn"])
    }

    @Test func weightlessLayerHasEmptyWeightNames() throws {
        let root = try HDF5File.openReadOnly(Self.alpha100).root
        #expect(try root.openGroup("conv1_relu").stringsAttribute("weight_names") == [])
        #expect(try root.openGroup("input_1").memberNames() == [])
    }

    @Test func depthwiseAndPointwiseShapes() throws {
        let root = try HDF5File.openReadOnly(Self.alpha100).root
        #expect(try root.readFloats("conv_dw_1/conv_dw_1/depthwise_kernel:0").shape == [3, 3, 32, 1])
        #expect(try root.readFloats("conv_pw_13/conv_pw_13/kernel:0").shape == [1, 1, 1024, 1024])
    }

    @Test func everyListedWeightIsReadable() throws {
        let root = try HDF5File.openReadOnly(Self.alpha025).root
        var total = 0
        for layer in try root.stringsAttribute("layer_names") {
            let group = try root.openGroup(layer)
            for weight in try group.stringsAttribute("weight_names") {
                let array = try group.readFloats(weight)
                #expect(array.values.count == array.shape.reduce(1, *))
                total += array.values.count
            }
        }
        // h5py counts 218,544 values over all listed weights of this file.
        #expect(total == 218_544)
    }
}
