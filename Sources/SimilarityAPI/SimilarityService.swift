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

/// What the handlers share; each endpoint is an extension method taking a `Request`.
final class Endpoints: Sendable {
    let configuration: APIConfiguration
    let catalog: ProductCatalog
    let embedder: QueryBatcher
    let modelInfo: ModelInfo
    let logger: Logger
    let openAPIJSON: [UInt8]
    let requestsServed = Atomic<Int>(0)
    let startedAt = ProcessMetrics.monotonicSeconds()

    init(configuration: APIConfiguration, catalog: ProductCatalog, embedder: QueryBatcher,
         modelInfo: ModelInfo, logger: Logger) {
        self.configuration = configuration
        self.catalog = catalog
        self.embedder = embedder
        self.modelInfo = modelInfo
        self.logger = logger
        self.openAPIJSON = Array(OpenAPIDocument.make(configuration).serialized.utf8)
    }

    /// The route table. Handlers throw `APIError`s, which become JSON error responses.
    func router() -> Router {
        let html = "text/html; charset=utf-8"
        let routes: [(String, String, @Sendable (Request) throws -> Response)] = [
            ("POST", "/api/v1/preprocess", preprocess),
            ("GET", "/api/v1/preprocess/status", preprocessStatus),
            ("POST", "/api/v1/find-similar", findSimilar),
            ("GET", "/health", health),
            ("GET", "/stats", stats),
            ("GET", "/openapi.json", { [openAPIJSON] _ in Response.json(raw: openAPIJSON) }),
            ("GET", "/docs", { _ in Response.text(DocsPages.swaggerUI, contentType: html) }),
            ("GET", "/redoc", { _ in Response.text(DocsPages.redoc, contentType: html) }),
        ]
        var router = Router()
        for (method, path, handler) in routes {
            router.add(method, path) { [logger] request in
                let failure: APIError
                do {
                    return try handler(request)
                } catch let error as APIError {
                    failure = error
                } catch {
                    failure = APIError(status: 500, message: "Internal error.", detail: "\(error)")
                }
                if failure.status >= 500 && failure.status != 503 {
                    logger.error("\(request.method) \(request.path): \(failure.message) (\(failure.detail))")
                }
                return failure.response
            }
        }
        return router
    }
}
