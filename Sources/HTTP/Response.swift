import FoundationEssentials

/// An HTTP response. The server adds `Content-Length`, `Date`, `Server` and `Connection` itself.
public struct Response: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int = 200, headers: HTTPHeaders = .init(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `object` encoded as JSON (`application/json`); an encoding failure becomes a 500 error response.
    public static func json(_ object: some Encodable, status: Int = 200) -> Response {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            return json(raw: Array(try encoder.encode(object)), status: status)
        } catch {
            return Response.error(status: 500, message: "Internal Server Error",
                                  detail: "The response could not be encoded as JSON: \(error)")
        }
    }

    /// Bytes that already are JSON text, sent as `application/json`.
    public static func json(raw: [UInt8], status: Int = 200) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: raw)
    }

    public static func text(_ s: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: ["Content-Type": contentType], body: Array(s.utf8))
    }

    /// The service's error shape: `{"success": false, "error": message, "detail": detail}`.
    public static func error(status: Int, message: String, detail: String? = nil) -> Response {
        json(raw: JSONText.errorBody(error: message, detail: detail), status: status)
    }

    /// An `HTTPError` in the service's error shape: the reason phrase as `error`, its message as `detail`.
    public static func error(_ error: HTTPError) -> Response {
        Response.error(status: error.status, message: HTTPStatus.reason(error.status), detail: error.message)
    }
}
