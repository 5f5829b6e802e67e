import Foundation
import HDF5

/// Writes Keras-layout weight files for the error tests: edited copies of a real file, or files of
/// another network, with the HDF5 module's writer.
enum WeightFileForge {
    /// Copies `source` into `target`, keeping the layers `keepGroup` accepts (and listing those
    /// `keepListed` accepts in `layer_names`), passing every tensor through `edit` (nil drops it).
    static func copy(_ source: String, to target: URL,
                     keepGroup: (String) -> Bool = { _ in true },
                     keepListed: (String) -> Bool = { _ in true },
                     edit: (_ layer: String, _ weight: String, FloatArray) -> FloatArray? = { $2 }) throws {
        let input = try HDF5File.openReadOnly(source).root
        let output = try HDF5File.create(target.path)
        let layers = try input.stringsAttribute("layer_names")
        try output.root.setAttribute("layer_names", strings: layers.filter(keepListed))
        for layer in layers where keepGroup(layer) && input.exists(layer) {
            let group = try input.openGroup(layer)
            let weights = try group.stringsAttribute("weight_names")
            let copy = try output.root.createGroup(layer)
            try copy.setAttribute("weight_names", strings: weights)
            for weight in weights {
                if let tensor = edit(layer, weight, try group.readFloats(weight)) {
                    try copy.writeFloats(weight, shape: tensor.shape, values: tensor.values)
                }
            }
        }
        try output.close()
    }

    /// A Keras-layout file of a small ResNet-like network: it even has a `conv1`, but 7x7 with 64 filters.
    static func writeResNetLike(to target: URL) throws {
        let file = try HDF5File.create(target.path)
        let layers = ["input_1", "conv1_pad", "conv1", "bn_conv1", "activation_1", "res2a_branch2a"]
        try file.root.setAttribute("layer_names", strings: layers)
        let conv1 = try file.root.createGroup("conv1")
        try conv1.setAttribute("weight_names", strings: ["conv1/kernel:0", "conv1/bias:0"])
        try conv1.writeFloats("conv1/kernel:0", shape: [7, 7, 3, 64], values: [Float](repeating: 0.01, count: 7 * 7 * 3 * 64))
        try conv1.writeFloats("conv1/bias:0", shape: [64], values: [Float](repeating: 0, count: 64))
        try file.close()
    }

    /// A complete MobileNet v1 weight file for width multiplier `alpha` with pseudo-random weights
    /// (scaled so that activations neither vanish nor all saturate), in the Keras 2 layout.
    static func writeSynthetic(alpha: Float, to target: URL) throws {
        var generator = SystemRandomNumberGenerator()
        let file = try HDF5File.create(target.path)
        var layers = ["input_1"]
        func add(_ layer: String, _ tensors: [(String, [Int], () -> Float)]) throws {
            layers.append(layer)
            let group = try file.root.createGroup(layer)
            try group.setAttribute("weight_names", strings: tensors.map { "\(layer)/\($0.0)" })
            for (name, shape, value) in tensors {
                try group.writeFloats("\(layer)/\(name)", shape: shape, values: (0..<shape.reduce(1, *)).map { _ in value() })
            }
        }
        func convolution(_ layer: String, _ kernelName: String, _ shape: [Int], fanIn: Int, channels: Int) throws {
            let scale = Float(2.5) / Float(fanIn).squareRoot()
            try add(layer, [(kernelName, shape, { Float.random(in: -scale...scale, using: &generator) })])
            try add(layer + "_bn", [
                ("gamma:0", [channels], { Float.random(in: 0.5...1.5, using: &generator) }),
                ("beta:0", [channels], { Float.random(in: -0.2...0.8, using: &generator) }),
                ("moving_mean:0", [channels], { Float.random(in: -0.3...0.3, using: &generator) }),
                ("moving_variance:0", [channels], { Float.random(in: 0.5...2, using: &generator) }),
            ])
            layers.append(layer + "_relu")
        }
        let filters = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024].map { Int(Float($0) * alpha) }
        var channels = Int(32 * alpha)
        try convolution("conv1", "kernel:0", [3, 3, 3, channels], fanIn: 27, channels: channels)
        for (index, outputs) in filters.enumerated() {
            try convolution("conv_dw_\(index + 1)", "depthwise_kernel:0", [3, 3, channels, 1], fanIn: 9, channels: channels)
            try convolution("conv_pw_\(index + 1)", "kernel:0", [1, 1, channels, outputs], fanIn: channels, channels: outputs)
            channels = outputs
        }
        try file.root.setAttribute("layer_names", strings: layers)
        try file.close()
    }

    /// An HDF5 file that holds no Keras weights at all.
    static func writeFeatureStoreLike(to target: URL) throws {
        let file = try HDF5File.create(target.path)
        try file.root.writeFloats("features", shape: [2, 4], values: [Float](repeating: 0.5, count: 8))
        try file.close()
    }
}
