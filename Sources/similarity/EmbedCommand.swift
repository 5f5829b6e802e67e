import ArgumentParser

struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Print the feature vector of an image as JSON.")

    func run() async throws {
        throw ValidationError("'embed' is not built yet")
    }
}
