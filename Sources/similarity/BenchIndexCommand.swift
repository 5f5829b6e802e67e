import ArgumentParser

struct BenchIndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "index", abstract: "Indexing throughput on a generated catalog.")

    func run() async throws {
        throw ValidationError("'index' is not built yet")
    }
}
