import ArgumentParser

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Start the HTTP service.")

    func run() async throws {
        throw ValidationError("'serve' is not built yet")
    }
}
