import ArgumentParser
import FoundationEssentials
import Logging
import SimilarityAPI

/// `similarity serve`: the HTTP service of the original design on port 8000.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the HTTP service.",
        discussion: """
            Each option can also be set by the environment variable shown in brackets; the option \
            wins when both are set. The settings in effect are logged at start.

            Endpoints: POST /api/v1/preprocess, GET /api/v1/preprocess/status, \
            POST /api/v1/find-similar, GET /health, GET /stats; documentation at /docs, /redoc \
            and /openapi.json.
            """)

    @Option(help: "Address to listen on; 0.0.0.0 accepts other machines. [SIMILARITY_HOST, default 0.0.0.0]")
    var host: String?
    @Option(help: "TCP port; 0 picks a free one. [SIMILARITY_PORT, default 8000]")
    var port: String?
    @Option(help: "Folder of product images (JPEG/PNG). [SIMILARITY_IMAGES_DIR, default product_images]")
    var images: String?
    @Option(help: "Folder of the index files. [SIMILARITY_GENERATED_DIR, default __generated__]")
    var generated: String?
    @Option(help: "Uploads folder (uploads are decoded in memory; nothing is kept). [SIMILARITY_UPLOADS_DIR, default uploads]")
    var uploads: String?
    @Option(help: "MobileNet weights (.h5). [SIMILARITY_MODEL, default Models/mobilenet_1_0_224_tf_no_top.h5]")
    var model: String?
    @Option(name: .customLong("max-upload-mb"), help: "Largest request body in MB; larger uploads get 413. [SIMILARITY_MAX_UPLOAD_MB, default 20]")
    var maxUploadMegabytes: String?
    @Option(name: .customLong("cors-origins"), help: "Comma-separated origins allowed by CORS, '*' for any, 'none' to disable. [SIMILARITY_CORS_ORIGINS, default *]")
    var corsOrigins: String?
    @Option(name: .customLong("default-threshold"), help: "find-similar threshold when a request gives none, 0.0-1.0. [SIMILARITY_DEFAULT_THRESHOLD, default 0.84]")
    var defaultThreshold: String?
    @Option(help: "Threads answering requests. [SIMILARITY_WORKERS, default four per core]")
    var workers: String?

    func run() throws {
        AllocatorTuning.returnLargeBlocksToTheSystem()
        let configuration = try resolvedConfiguration()
        let logger = Logger(label: "similarity.serve")
        logger.info("starting with:")
        for line in configuration.summaryLines { logger.info("  \(line)") }
        let server = try SimilarityServer(configuration: configuration, logger: logger)
        let service = server.service
        logger.info("model \(service.modelInfo.path) (alpha \(service.modelInfo.alpha), \(service.modelInfo.featureDimension)-d); \(service.catalog.store.count) products indexed")
        logger.info("listening on http://\(configuration.host):\(server.port) (docs at /docs)")
        if service.catalog.store.count == 0 {
            logger.notice("no index yet: add images to \(configuration.imagesDirectory) and run curl -X POST http://localhost:\(server.port)/api/v1/preprocess")
        }
        server.http.runUntilSignalled()
    }

    /// Defaults, overridden by `SIMILARITY_*` variables, overridden by options.
    private func resolvedConfiguration() throws -> APIConfiguration {
        do {
            var configuration = try APIConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
            let options: [(APIConfiguration.Variable, String?, String)] = [
                (.host, host, "--host"), (.port, port, "--port"), (.imagesDirectory, images, "--images"),
                (.generatedDirectory, generated, "--generated"), (.uploadsDirectory, uploads, "--uploads"),
                (.modelPath, model, "--model"), (.maxUploadMegabytes, maxUploadMegabytes, "--max-upload-mb"),
                (.corsOrigins, corsOrigins, "--cors-origins"), (.defaultThreshold, defaultThreshold, "--default-threshold"),
                (.workers, workers, "--workers"),
            ]
            for case let (variable, value?, flag) in options {
                try configuration.set(variable, to: value, source: flag)
            }
            return configuration
        } catch {
            throw ValidationError(error.description)
        }
    }
}
