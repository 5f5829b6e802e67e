import ArgumentParser

struct BenchHTTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "http", abstract: "Serve a tiny JSON endpoint for wrk.")

    func run() async throws {
        throw ValidationError("'http' is not built yet")
    }
}
