import ArgumentParser

struct PreprocessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "preprocess", abstract: "Index new and changed product images.")

    func run() async throws {
        throw ValidationError("'preprocess' is not built yet")
    }
}
