import Foundation
import HTTP
import Testing

@Suite struct RouterTests {
    static func router() -> Router {
        var router = Router()
        router.add("GET", "/health") { _ in .text("ok") }
        router.add("GET", "/api/v1/images/{id}") { .text("image \($0.pathParameters["id"] ?? "?")") }
        router.add("DELETE", "/api/v1/images/{id}") { .text("deleted \($0.pathParameters["id"] ?? "?")") }
        router.add("GET", "/api/v1/images/latest") { _ in .text("latest") }
        router.add("POST", "/api/v1/find-similar") { .text("top_k=\($0.query["top_k"] ?? "-")") }
        return router
    }

    func body(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func routesByMethodAndPath() {
        let router = Self.router()
        #expect(body(router.respond(to: Request(method: "GET", target: "/health"))) == "ok")
        #expect(body(router.respond(to: Request(method: "POST", target: "/api/v1/find-similar?top_k=5"))) == "top_k=5")
        #expect(body(router.respond(to: Request(method: "DELETE", target: "/api/v1/images/42"))) == "deleted 42")
    }

    @Test func pathParametersAreDecodedAndLiteralsWin() {
        let router = Self.router()
        #expect(body(router.respond(to: Request(method: "GET", target: "/api/v1/images/a%20b"))) == "image a b")
        #expect(body(router.respond(to: Request(method: "GET", target: "/api/v1/images/latest"))) == "latest")
        #expect(body(router.respond(to: Request(method: "GET", target: "/api/v1/images/latest/"))) == "latest")
    }

    @Test func unknownPathIs404Json() throws {
        let response = Self.router().respond(to: Request(method: "GET", target: "/nope"))
        #expect(response.status == 404)
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(object?["success"] as? Bool == false)
        #expect((object?["detail"] as? String)?.contains("/nope") == true)
    }

    @Test func otherMethodIs405WithAllow() {
        let response = Self.router().respond(to: Request(method: "PUT", target: "/api/v1/images/7"))
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "GET, HEAD, DELETE, OPTIONS")
    }

    @Test func headIsServedByGet() {
        let response = Self.router().respond(to: Request(method: "HEAD", target: "/health"))
        #expect(response.status == 200)
        #expect(body(response) == "ok")
    }

    @Test func optionsListsTheMethods() {
        let response = Self.router().respond(to: Request(method: "OPTIONS", target: "/api/v1/find-similar"))
        #expect(response.status == 204)
        #expect(response.headers["Allow"] == "POST, OPTIONS")
        #expect(Self.router().respond(to: Request(method: "OPTIONS", target: "/missing")).status == 404)
    }
}
