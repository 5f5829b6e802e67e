/// An error that maps onto an HTTP status, with a message fit to show the client.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status) \(HTTPStatus.reason(status)): \(message)" }
}

/// Why the server could not start.
public enum HTTPServerError: Error, Sendable, CustomStringConvertible {
    case invalidAddress(host: String, port: Int, reason: String)
    case addressInUse(host: String, port: Int)
    case permissionDenied(host: String, port: Int)
    case socketFailure(operation: String, errno: Int32)
    case alreadyStarted

    public var description: String {
        switch self {
        case let .invalidAddress(host, port, reason):
            "Cannot listen on \(host):\(port): \(reason)."
        case let .addressInUse(host, port):
            "Port \(port) on \(host) is already in use; stop the other process or choose another port."
        case let .permissionDenied(host, port):
            "Not allowed to listen on \(host):\(port) (ports below 1024 need privileges)."
        case let .socketFailure(operation, code):
            "\(operation) failed: \(systemErrorMessage(code))."
        case .alreadyStarted:
            "The server has already been started."
        }
    }
}

/// Reason phrases for the statuses this service uses.
public enum HTTPStatus {
    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }

    /// Statuses whose responses never carry a body (RFC 9110 §6.4.1).
    static func forbidsBody(_ status: Int) -> Bool {
        (100..<200).contains(status) || status == 204 || status == 304
    }
}
