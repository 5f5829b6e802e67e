import HTTP

/// An error the API answers with, as JSON `{"success": false, "error": "...", "detail": ...}`.
///
/// `detail` keeps what FastAPI clients read: a list of `ParameterViolation`s for 422, otherwise a
/// string with more context (or the message itself).
public struct APIError: Error, Sendable {
    /// The HTTP status code.
    public let status: Int
    /// One sentence for a person.
    public let message: String
    /// Extra context: a string or the parameter violations.
    public let detail: Detail

    public enum Detail: Sendable, Encodable, CustomStringConvertible {
        case text(String)
        case violations([ParameterViolation])

        public var description: String {
            switch self {
            case .text(let text): text
            case .violations(let violations): violations.map { "\($0.parameter): \($0.msg)" }.joined(separator: "; ")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .violations(let violations): try container.encode(violations)
            }
        }
    }

    public init(status: Int, message: String, detail: String? = nil) {
        self.status = status
        self.message = message
        self.detail = .text(detail ?? message)
    }

    private init(status: Int, message: String, violations: [ParameterViolation]) {
        self.status = status
        self.message = message
        self.detail = .violations(violations)
    }

    /// 422: the parameters named in `violations` are unparsable or out of range.
    public static func invalidParameters(_ violations: [ParameterViolation]) -> APIError {
        let summary = violations.map { "'\($0.parameter)' (\($0.input.debugDescription)): \($0.msg)" }
        return APIError(status: 422, message: "Invalid query parameter " + summary.joined(separator: "; "),
                        violations: violations)
    }

    /// 503: no product has been indexed yet.
    public static let notIndexed = APIError(
        status: 503, message: "Service not initialized. Run preprocessing first.",
        detail: "No product features are loaded. Add images to the images folder and run preprocessing first: "
            + "curl -X POST http://HOST:PORT/api/v1/preprocess")

    /// 409: an index run is already going.
    public static let indexing = APIError(
        status: 409, message: "Preprocessing is already running.",
        detail: "Another preprocessing run is in progress; try again when GET /api/v1/preprocess/status "
            + "reports is_running: false.")

    /// The JSON body of this error.
    var body: ErrorBody { ErrorBody(success: false, error: message, detail: detail) }

    /// The response carrying this error.
    public var response: Response { Response.sortedJSON(body, status: status) }
}

/// The JSON shape of every error response.
struct ErrorBody: Encodable, Sendable {
    let success: Bool
    let error: String
    let detail: APIError.Detail
}
