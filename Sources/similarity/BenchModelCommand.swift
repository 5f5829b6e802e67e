import ArgumentParser

struct BenchModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "Forward-pass latency and throughput.")

    func run() async throws {
        throw ValidationError("'model' is not built yet")
    }
}
