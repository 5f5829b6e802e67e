/// The one-method seam between the server and the application: turn a request into a response.
/// Called on the server's worker pool, never on its socket threads, so it may block or compute.
public protocol Responder: Sendable {
    func respond(to request: Request) -> Response
}

/// A responder made from a closure.
public struct ClosureResponder: Responder {
    private let handler: @Sendable (Request) -> Response

    public init(_ handler: @escaping @Sendable (Request) -> Response) {
        self.handler = handler
    }

    public func respond(to request: Request) -> Response { handler(request) }
}
