import ArgumentParser
import Catalog
import FoundationEssentials
import Logging
import MobileNet

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Find the products most similar to an image.")

    @Argument(help: "A JPEG or PNG image.")
    var image: String

    @Option(name: .customLong("top-k"), help: "Maximum number of matches (1-100).")
    var topK = 10

    @Option(help: "Minimum cosine similarity (0-1).")
    var threshold: Float = 0.84

    @Option(help: "The product images folder.")
    var images = "product_images"

    @Option(help: "The folder holding the index files.")
    var generated = "__generated__"

    @Option(help: "MobileNet weight file (default: SIMILARITY_MODEL, then Models/).")
    var model: String?

    @Flag(help: "Print the matches as JSON.")
    var json = false

    func validate() throws {
        guard (1...100).contains(topK) else { throw ValidationError("--top-k must be between 1 and 100") }
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be between 0 and 1") }
    }

    private var quietLogger: Logger {
        var logger = Logger(label: "similarity.search")
        logger.logLevel = .warning
        return logger
    }

    func run() throws {
        let modelPath = try ModelLocator.resolve(explicitPath: model)
        let network = try MobileNetModel(contentsOf: modelPath)
        let catalog = try ProductCatalog(paths: CatalogPaths(imagesDirectory: images, generatedDirectory: generated),
                                         model: network, modelPath: modelPath, logger: quietLogger)
        let store = catalog.store
        guard store.count > 0 else {
            throw ValidationError("The index in '\(generated)' is empty or missing; run 'similarity preprocess' first.")
        }
        let vector = try QueryEmbedder(model: network).embed(fileAt: image)
        let matches = store.search(vector, topK: topK, threshold: threshold)
        if json {
            let objects: [[String: Any]] = matches.map {
                ["image_id": $0.id, "image_path": $0.path, "filename": $0.filename,
                 "similarity_score": (Double($0.score) * 10_000).rounded() / 10_000]
            }
            let body: [String: Any] = ["matches": objects, "total_compared": store.count, "threshold_used": Double(threshold)]
            print(sortedJSON(body))
        } else if matches.isEmpty {
            print("No product scores \(threshold) or more (compared with \(store.count)).")
        } else {
            for match in matches { print(formatted("%.4f  ", match.score) + "\(match.id)  \(match.path)") }
        }
    }
}
