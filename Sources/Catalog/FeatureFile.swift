import FoundationEssentials
import HDF5

/// Reads and writes `products_feature.h5`, the index's single source of truth.
///
/// Layout (readable with h5py): float32 `features` [N, D] unit rows; string datasets `image_ids`,
/// `paths` (relative to the images folder), `md5` and `indexed_at`; float32 `image_sizes` [N, 2]
/// (width, height); root attributes `format_version`, `model_alpha`, `model_input_size`,
/// `feature_dimension`, `weights_md5` and `created_at`.
enum FeatureFile {
    static let formatVersion = 1

    struct Contents {
        var products: [IndexedProduct]
        var vectors: [Float]
        var dimension: Int
    }

    /// Why an existing file cannot be used.
    enum Rejection: Error {
        case incompatible(String)
    }

    /// Writes the file atomically (temporary file, fsync, rename).
    static func write(_ contents: Contents, model: ModelIdentity, to path: String) throws {
        try AtomicFile.replace(path) { temporary in
            do {
                let file = try HDF5File.create(temporary)
                let root = file.root
                let count = contents.products.count
                try root.writeFloats("features", shape: [count, contents.dimension], values: contents.vectors)
                try root.writeStrings("image_ids", contents.products.map(\.id))
                try root.writeStrings("paths", contents.products.map(\.relativePath))
                try root.writeStrings("md5", contents.products.map(\.md5))
                try root.writeStrings("indexed_at", contents.products.map(\.indexedAt))
                try root.writeFloats("image_sizes", shape: [count, 2],
                                     values: contents.products.flatMap { [Float($0.width), Float($0.height)] })
                try root.setAttribute("format_version", int: formatVersion)
                try root.setAttribute("model_alpha", double: model.alpha)
                try root.setAttribute("model_input_size", int: model.inputSize)
                try root.setAttribute("feature_dimension", int: model.dimension)
                try root.setAttribute("weights_md5", string: model.weightsMD5)
                try root.setAttribute("created_at", string: Timestamp.string(Date()))
                try file.flush()
                try file.close()
            } catch let error as HDF5Error {
                throw CatalogError.io(path: path, reason: error.description)
            }
        }
    }

    /// Reads the file; throws `Rejection.incompatible` when it was written by another model or format,
    /// or its parts do not fit together.
    static func read(_ path: String, expecting model: ModelIdentity) throws -> Contents {
        do {
            let file = try HDF5File.openReadOnly(path)
            defer { try? file.close() }
            let root = file.root
            try checkIdentity(root, expecting: model)
            let features = try root.readFloats("features")
            let ids = try root.readStrings("image_ids")
            let paths = try root.readStrings("paths")
            let md5 = try root.readStrings("md5")
            let indexedAt = try root.readStrings("indexed_at")
            let sizes = try root.readFloats("image_sizes")
            let count = ids.count
            guard features.shape == [count, model.dimension], paths.count == count, md5.count == count,
                  indexedAt.count == count, sizes.shape == [count, 2] else {
                throw Rejection.incompatible("its datasets disagree in length or width")
            }
            let products = (0..<count).map { row in
                IndexedProduct(id: ids[row], relativePath: paths[row], md5: md5[row],
                               width: Int(sizes.values[row * 2]), height: Int(sizes.values[row * 2 + 1]),
                               indexedAt: indexedAt[row])
            }
            return Contents(products: products, vectors: features.values, dimension: model.dimension)
        } catch let error as HDF5Error {
            throw Rejection.incompatible("it cannot be read (\(error.description))")
        }
    }

    /// Where `features` starts in the file, when it is stored as one contiguous run of float32.
    static func featuresOffset(_ path: String) throws -> Int? {
        let file = try HDF5File.openReadOnly(path)
        defer { try? file.close() }
        return try file.root.contiguousFloat32Offset("features")
    }

    private static func checkIdentity(_ root: HDF5Group, expecting model: ModelIdentity) throws {
        let version = root.hasAttribute("format_version") ? try root.intAttribute("format_version") : -1
        guard version == formatVersion else {
            throw Rejection.incompatible("it has format version \(version), this program writes \(formatVersion)")
        }
        let found = ModelIdentity(alpha: try root.doubleAttribute("model_alpha"),
                                  inputSize: try root.intAttribute("model_input_size"),
                                  dimension: try root.intAttribute("feature_dimension"),
                                  weightsMD5: try root.stringAttribute("weights_md5"))
        guard found == model else {
            throw Rejection.incompatible("it was built by \(found), the loaded model is \(model)")
        }
    }
}
