import HTTP
import Logging

/// The service behind an HTTP server: what `similarity serve` runs and the end-to-end tests start.
public final class SimilarityServer: Sendable {
    public let service: SimilarityService
    public let http: HTTPServer

    /// Loads the service and binds the listening socket (port 0 picks a free port; see `port`).
    public init(configuration: APIConfiguration, logger: Logger) throws {
        service = try SimilarityService.load(configuration: configuration, logger: logger)
        var server = ServerConfiguration(host: configuration.host, port: configuration.port,
                                         maxBodyBytes: configuration.maxUploadBytes,
                                         corsAllowedOrigins: configuration.corsAllowedOrigins)
        // Workers mostly wait for the forward pass; four per core let requests queue into the next
        // batch (`similarity bench api`, 8 clients on 2 cores: 144 req/s, mean batch 3.3, against
        // 114-126 req/s and batch 1.8-1.9 with two per core; sixteen workers gained nothing more).
        server.workerCount = configuration.workerCount ?? 4 * ServerConfiguration.coreCount
        http = HTTPServer(configuration: server, responder: service, logger: logger)
        try http.start()
    }

    /// The port the server listens on.
    public var port: Int { http.port }

    /// Stops accepting connections and closes the open ones.
    public func shutdown() { http.shutdown() }
}
