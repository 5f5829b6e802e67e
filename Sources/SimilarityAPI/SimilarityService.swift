import Catalog
import HTTP
import Logging
import MobileNet
import Synchronization

/// The service: every endpoint of the original API as a plain function from `Request` to `Response`
/// (`respond(to:)`), so it runs behind `HTTPServer` or directly in tests.
public final class SimilarityService: Responder {
    public let configuration: APIConfiguration
    /// The product index this service searches and updates.
    public let catalog: ProductCatalog
    /// The model serving queries, as `/stats` reports it.
    public let modelInfo: ModelInfo
    let embedder: QueryEmbedder
    let logger: Logger
    let openAPIJSON: [UInt8]
    private let router = Router()
    private let requestsServed = Atomic<Int>(0)
    private let startedAt = ProcessMetrics.monotonicSeconds()

    /// A service over an already loaded catalog and query embedder.
    public init(configuration: APIConfiguration, catalog: ProductCatalog, embedder: QueryEmbedder,
                modelInfo: ModelInfo, logger: Logger) {
        self.configuration = configuration
        self.catalog = catalog
        self.embedder = embedder
        self.modelInfo = modelInfo
        self.logger = logger
        self.openAPIJSON = Array(OpenAPIDocument.make(configuration).serialized.utf8)
        registerRoutes()
    }

    public func respond(to request: Request) -> Response {
        requestsServed.add(1, ordering: .relaxed)
        return router.respond(to: request)
    }

    /// Requests answered since start, the current one included.
    public var requestCount: Int { requestsServed.load(ordering: .relaxed) }

    /// Seconds since this service was created.
    public var uptime: Double { ProcessMetrics.monotonicSeconds() - startedAt }

    private func registerRoutes() {
        let routes: [(HTTPMethod, String, @Sendable (SimilarityService, Request) throws -> Response)] = [
            (.POST, "/api/v1/preprocess", { try $0.preprocess($1) }),
            (.GET, "/api/v1/preprocess/status", { $0.preprocessStatus($1) }),
            (.POST, "/api/v1/find-similar", { try $0.findSimilar($1) }),
            (.GET, "/health", { $0.health($1) }),
            (.GET, "/stats", { $0.stats($1) }),
            (.GET, "/openapi.json", { service, _ in Response.json(raw: service.openAPIJSON) }),
            (.GET, "/docs", { _, _ in Response.text(DocsPages.swaggerUI, contentType: "text/html; charset=utf-8") }),
            (.GET, "/redoc", { _, _ in Response.text(DocsPages.redoc, contentType: "text/html; charset=utf-8") }),
        ]
        for (method, path, handler) in routes {
            router.add(method, path) { [unowned self] request in
                do {
                    return try handler(self, request)
                } catch let error as APIError {
                    return error.response
                } catch {
                    return APIError(status: 500, message: "Internal error.", detail: "\(error)").response
                }
            }
        }
    }
}
