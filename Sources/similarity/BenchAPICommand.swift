import ArgumentParser

struct BenchAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api", abstract: "find-similar latency and throughput end to end.")

    func run() async throws {
        throw ValidationError("'api' is not built yet")
    }
}
