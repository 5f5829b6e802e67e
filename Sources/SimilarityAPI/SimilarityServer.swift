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
        // Workers mostly wait for the forward pass; twice the cores lets requests queue into the next
        // batch (measured: lower CPU per request and more requests/s than one per core).
        server.workerCount = configuration.workerCount ?? 2 * ServerConfiguration.coreCount
        http = HTTPServer(configuration: server, responder: service, logger: logger)
        try http.start()
    }

    /// The port the server listens on.
    public var port: Int { http.port }

    /// Stops accepting connections and closes the open ones.
    public func shutdown() { http.shutdown() }
}
