/// Where a catalog's images live and where its index files are written.
public struct CatalogPaths: Sendable, Equatable {
    /// The folder scanned for product images (subfolders included).
    public var imagesDirectory: String
    /// The folder holding the three index files.
    public var generatedDirectory: String

    public init(imagesDirectory: String = "product_images", generatedDirectory: String = "__generated__") {
        self.imagesDirectory = imagesDirectory
        self.generatedDirectory = generatedDirectory
    }

    /// `products_feature.h5`: the feature matrix and the ids, paths and hashes it belongs to.
    public var featuresFile: String { generatedDirectory + "/products_feature.h5" }
    /// `products_fields.csv`: one row per indexed product, derived from the feature file.
    public var fieldsFile: String { generatedDirectory + "/products_fields.csv" }
    /// `processed_images.json`: per-file fingerprints and outcomes, the cache behind incremental runs.
    public var processedFile: String { generatedDirectory + "/processed_images.json" }
    /// The lock file that keeps two indexing runs (in one process or several) from interleaving.
    public var lockFile: String { generatedDirectory + "/.preprocess.lock" }
}
