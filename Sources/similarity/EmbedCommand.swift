import ArgumentParser
import Catalog
import FoundationEssentials
import MobileNet

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Print the feature vector of an image as JSON.")

    @Argument(help: "A JPEG or PNG image of any size.")
    var image: String

    @Option(help: "MobileNet weight file (default: SIMILARITY_MODEL, then Models/).")
    var model: String?

    func run() throws {
        let modelPath = try ModelLocator.resolve(explicitPath: model)
        let network = try MobileNetModel(contentsOf: modelPath)
        let vector = try QueryEmbedder(model: network).embed(fileAt: image)
        // Float's description is the shortest text that reads back as the same value.
        print("[" + vector.map { "\($0)" }.joined(separator: ", ") + "]")
    }
}
