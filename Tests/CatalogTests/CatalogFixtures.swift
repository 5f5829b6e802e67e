import Catalog
import Foundation
import Logging
import MobileNet
import TestSupport

/// Shared pieces for the catalog tests: the real model, real photos, scratch catalogs.
enum Fixtures {
    static let modelPath = TestPaths.defaultModel.path
    static let smallModelPath = TestPaths.sharedModels.appendingPathComponent("mobilenet_2_5_224_tf_no_top.h5").path

    /// The alpha-1.0 model, loaded once for the whole suite.
    static let model: MobileNetModel = {
        do { return try MobileNetModel(contentsOf: modelPath) } catch { fatalError("cannot load \(modelPath): \(error)") }
    }()

    static let logger = Logger(label: "catalog-tests")

    /// Photos of the dev corpus's catalog, sorted by name.
    static let photos: [URL] = {
        let folder = TestPaths.benchDev.appendingPathComponent("catalog")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }()

    /// A fresh catalog: an images folder and a generated folder under a temporary directory.
    struct Scratch {
        let root: URL
        var images: URL { root.appendingPathComponent("images") }
        var paths: CatalogPaths {
            CatalogPaths(imagesDirectory: images.path, generatedDirectory: root.appendingPathComponent("generated").path)
        }

        init(_ label: String) throws {
            root = try TestPaths.makeTemporaryDirectory(label)
            try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        }

        /// Copies photo `index` of the dev catalog to `relativePath` (folders created as needed).
        func add(photo index: Int, as relativePath: String) throws {
            let target = images.appendingPathComponent(relativePath)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: Fixtures.photos[index], to: target)
        }

        func write(_ bytes: [UInt8], as relativePath: String) throws {
            let target = images.appendingPathComponent(relativePath)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: target)
        }

        func remove(_ relativePath: String) throws {
            try FileManager.default.removeItem(at: images.appendingPathComponent(relativePath))
        }

        func open(model: MobileNetModel = Fixtures.model, modelPath: String = Fixtures.modelPath) throws -> ProductCatalog {
            try ProductCatalog(paths: paths, model: model, modelPath: modelPath, logger: Fixtures.logger)
        }

        func cleanUp() { try? FileManager.default.removeItem(at: root) }
    }

    /// The bytes of a photo of the dev catalog.
    static func bytes(ofPhoto index: Int) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: photos[index]))
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
