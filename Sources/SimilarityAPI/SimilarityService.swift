import Catalog
import HTTP
import Logging
import Synchronization

/// The service: every endpoint of the original API as a plain function from `Request` to `Response`
/// (`respond(to:)`), so it runs behind `HTTPServer` or directly in tests.
public final class SimilarityService: Responder {
    private let endpoints: Endpoints
    private let router: Router

    /// A service over an already loaded catalog and query embedder.
    public init(configuration: APIConfiguration, catalog: ProductCatalog, embedder: QueryBatcher,
                modelInfo: ModelInfo, logger: Logger) {
        let endpoints = Endpoints(configuration: configuration, catalog: catalog, embedder: embedder,
                                  modelInfo: modelInfo, logger: logger)
        self.endpoints = endpoints
        self.router = endpoints.router()
    }

    public func respond(to request: Request) -> Response {
        endpoints.requestsServed.add(1, ordering: .relaxed)
        return router.respond(to: request)
    }

    public var configuration: APIConfiguration { endpoints.configuration }
    /// The product index this service searches and updates.
    public var catalog: ProductCatalog { endpoints.catalog }
    /// The model serving queries, as `/stats` reports it.
    public var modelInfo: ModelInfo { endpoints.modelInfo }
    /// Requests answered since start, the current one included.
    public var requestCount: Int { endpoints.requestsServed.load(ordering: .relaxed) }
}
