import ArgumentParser

/// The `similarity` command: the service, the indexer and the tools around them.
@main
struct Similarity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Image similarity search over a product catalog, with MobileNet v1 features.",
        subcommands: [ServeCommand.self, PreprocessCommand.self, SearchCommand.self, EmbedCommand.self, BenchCommand.self]
    )
}

/// `similarity bench ...`: the project's own benchmarks (release builds only give meaningful figures).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the parts of the service.",
        subcommands: [BenchModelCommand.self, BenchDecodeCommand.self, BenchIndexCommand.self,
                      BenchSearchCommand.self, BenchHTTPCommand.self, BenchAPICommand.self]
    )
}
