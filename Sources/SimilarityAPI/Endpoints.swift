import Catalog
import HTTP
import Logging
import Synchronization

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
