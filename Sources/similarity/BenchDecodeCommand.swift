import ArgumentParser

struct BenchDecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "Decode, resize and normalise time per image.")

    func run() async throws {
        throw ValidationError("'decode' is not built yet")
    }
}
