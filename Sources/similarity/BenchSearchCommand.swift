import ArgumentParser

struct BenchSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Top-k search time over N products.")

    func run() async throws {
        throw ValidationError("'search' is not built yet")
    }
}
