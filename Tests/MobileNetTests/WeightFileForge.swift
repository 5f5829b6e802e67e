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

    /// An HDF5 file that holds no Keras weights at all.
    static func writeFeatureStoreLike(to target: URL) throws {
        let file = try HDF5File.create(target.path)
        try file.root.writeFloats("features", shape: [2, 4], values: [Float](repeating: 0.5, count: 8))
        try file.close()
    }
}
