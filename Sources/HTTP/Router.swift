/// Routes by method and path pattern (`/api/v1/images/{id}`) to handlers.
///
/// Unknown paths answer 404, a known path with another method 405 with `Allow`; `HEAD` is served by the
/// `GET` handler (the server drops the body) and `OPTIONS` answers 204 with `Allow`, which the server's
/// CORS policy turns into a preflight answer.
public struct Router: Responder {
    public typealias Handler = @Sendable (Request) -> Response

    private struct Route: Sendable {
        let method: String
        let pattern: RoutePattern
        let handler: Handler
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route. Later routes never shadow earlier ones with the same pattern; among patterns that
    /// match, the one with the most literal segments wins.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method.uppercased(), pattern: RoutePattern(pattern), handler: handler))
    }

    public func respond(to request: Request) -> Response {
        let segments = RoutePattern.segments(of: request.path)
        var matches: [(route: Route, parameters: [String: String])] = []
        for route in routes {
            if let parameters = route.pattern.match(segments) { matches.append((route, parameters)) }
        }
        guard !matches.isEmpty else {
            return .error(status: 404, message: "Not Found", detail: "No route for \(request.method) \(request.path)")
        }
        // Most specific pattern first; stable for equal specificity (registration order).
        let ordered = matches.enumerated().sorted {
            ($0.element.route.pattern.literalCount, -$0.offset) > ($1.element.route.pattern.literalCount, -$1.offset)
        }.map(\.element)
        let wanted = request.method == "HEAD" ? ["HEAD", "GET"] : [request.method]
        for method in wanted {
            if let match = ordered.first(where: { $0.route.method == method }) {
                var routed = request
                routed.pathParameters = match.parameters
                return match.route.handler(routed)
            }
        }
        let allow = allowedMethods(ordered.map(\.route.method))
        if request.method == "OPTIONS" {
            return Response(status: 204, headers: ["Allow": allow])
        }
        var response = Response.error(status: 405, message: "Method Not Allowed",
                                      detail: "\(request.method) is not allowed on \(request.path); use \(allow)")
        response.headers.set("Allow", allow)
        return response
    }

    private func allowedMethods(_ methods: [String]) -> String {
        var set = Set(methods)
        if set.contains("GET") { set.insert("HEAD") }
        set.insert("OPTIONS")
        let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        let known = order.filter(set.contains)
        let others = set.subtracting(order).sorted()
        return (known + others).joined(separator: ", ")
    }
}

/// A path pattern: literal segments and `{name}` captures, one segment each.
struct RoutePattern: Sendable {
    enum Segment: Sendable {
        case literal(String)
        case parameter(String)
    }

    let segments: [Segment]
    let literalCount: Int

    init(_ pattern: String) {
        segments = Self.segments(of: pattern).map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(part)
        }
        literalCount = segments.filter { if case .literal = $0 { true } else { false } }.count
    }

    static func segments(of path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    func match(_ path: [String]) -> [String: String]? {
        guard path.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(segments, path) {
            switch segment {
            case .literal(let literal): guard literal == value else { return nil }
            case .parameter(let name): parameters[name] = value
            }
        }
        return parameters
    }
}
