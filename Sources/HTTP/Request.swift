/// One HTTP request as a handler sees it: the body is complete and decoded from any chunked framing.
public struct Request: Sendable {
    /// The method token as sent, e.g. "GET", "POST".
    public var method: String
    /// The percent-decoded path, without the query.
    public var path: String
    public var query: QueryParameters
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Values captured by the router from `{name}` segments of the route pattern.
    public var pathParameters: [String: String]
    /// "HTTP/1.1" or "HTTP/1.0".
    public var version: String
    /// The client's address ("127.0.0.1:53422"), when the request came over a socket.
    public var remoteAddress: String?

    public init(method: String = "GET", path: String = "/", query: QueryParameters = .init(),
                headers: HTTPHeaders = .init(), body: [UInt8] = [], pathParameters: [String: String] = [:],
                version: String = "HTTP/1.1", remoteAddress: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
        self.version = version
        self.remoteAddress = remoteAddress
    }

    /// A request for `target` ("/path?query"), as a test or an in-process caller would build it.
    public init(method: String, target: String, headers: HTTPHeaders = .init(), body: [UInt8] = []) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawPath = parts.first.map(String.init) ?? "/"
        self.init(method: method,
                  path: PercentDecoding.decodeStrict(rawPath.utf8) ?? rawPath,
                  query: parts.count > 1 ? QueryParameters(query: parts[1]) : .init(),
                  headers: headers, body: body)
    }

    /// Whether the connection stays open after this request (HTTP/1.1 unless `Connection: close`;
    /// HTTP/1.0 only with `Connection: keep-alive`).
    public var keepAlive: Bool {
        let tokens = headers.tokens("Connection")
        if version == "HTTP/1.0" { return tokens.contains("keep-alive") }
        return !tokens.contains("close")
    }
}
