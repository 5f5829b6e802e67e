import Catalog
import FoundationEssentials
import Imaging
import Logging
import MobileNet

extension SimilarityService {
    /// Loads the model and any existing index as `configuration` says, creating missing folders.
    public static func load(configuration: APIConfiguration, logger: Logger) throws -> SimilarityService {
        for folder in [configuration.imagesDirectory, configuration.generatedDirectory, configuration.uploadsDirectory] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let modelPath = try ModelLocator.resolve(explicitPath: configuration.modelPath)
        let model = try MobileNetModel(contentsOf: modelPath)
        let paths = CatalogPaths(imagesDirectory: configuration.imagesDirectory,
                                 generatedDirectory: configuration.generatedDirectory)
        let catalog = try ProductCatalog(paths: paths, model: model, modelPath: modelPath, logger: logger)
        let embedder = QueryBatcher(model: model, limits: ImageLimits(maxEncodedBytes: configuration.maxUploadBytes))
        let info = ModelInfo(name: "MobileNet v1", path: modelPath, alpha: Double(model.alpha),
                             inputSize: model.inputSize, featureDimension: model.featureDimension)
        return SimilarityService(configuration: configuration, catalog: catalog, embedder: embedder,
                                 modelInfo: info, logger: logger)
    }
}
