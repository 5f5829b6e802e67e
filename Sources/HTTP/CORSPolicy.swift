/// Adds CORS headers to responses for requests that carry an `Origin` the configuration allows, and
/// completes `OPTIONS` preflight answers (allowed methods and headers, max age).
struct CORSPolicy: Sendable {
    let allowedOrigins: [String]
    var maxAgeSeconds = 600

    func apply(to response: inout Response, for request: Request) {
        guard !allowedOrigins.isEmpty, let origin = request.headers["Origin"] else { return }
        if allowedOrigins.contains("*") {
            response.headers.set("Access-Control-Allow-Origin", "*")
        } else if allowedOrigins.contains(origin) {
            response.headers.set("Access-Control-Allow-Origin", origin)
            response.headers.add("Vary", "Origin")
        } else {
            return
        }
        let isPreflight = request.method == "OPTIONS" && request.headers.contains("Access-Control-Request-Method")
        guard isPreflight, (200..<300).contains(response.status) else { return }
        if let allow = response.headers["Allow"] {
            response.headers.set("Access-Control-Allow-Methods", allow)
        }
        if let requested = request.headers["Access-Control-Request-Headers"] {
            response.headers.set("Access-Control-Allow-Headers", requested)
        }
        response.headers.set("Access-Control-Max-Age", String(maxAgeSeconds))
    }
}
