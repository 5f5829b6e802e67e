import ArgumentParser

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Find the products most similar to an image.")

    func run() async throws {
        throw ValidationError("'search' is not built yet")
    }
}
