import Foundation
import HTTP
import Testing

@Suite struct MessageTests {
    @Test func headersAreCaseInsensitiveAndOrdered() {
        var headers: HTTPHeaders = ["Content-Type": "text/plain", "X-A": "1"]
        headers.add("x-a", "2")
        #expect(headers["CONTENT-TYPE"] == "text/plain")
        #expect(headers.values("x-A") == ["1", "2"])
        headers.set("X-a", "3")
        #expect(headers.values("X-A") == ["3"])
        #expect(headers.map(\.name) == ["Content-Type", "X-A"])
        headers.remove("content-type")
        #expect(headers["Content-Type"] == nil)
        #expect(headers.count == 1)
        headers["New"] = "v"
        #expect(headers["new"] == "v")
        headers["new"] = nil
        #expect(!headers.contains("New"))
    }

    @Test func queryParametersDecode() {
        let query = QueryParameters(query: "a=1&b=two+words&a=%2F%3F&bad=%zz&%41=x")
        #expect(query["a"] == "1")
        #expect(query.values("a") == ["1", "/?"])
        #expect(query["b"] == "two words")
        #expect(query["bad"] == "%zz")
        #expect(query["A"] == "x")
        #expect(query["missing"] == nil)
        #expect(!query.isEmpty)
        #expect(QueryParameters(query: "").isEmpty)
    }

    @Test func requestFromTarget() {
        let request = Request(method: "GET", target: "/a%20b?x=1&x=2")
        #expect(request.path == "/a b")
        #expect(request.query.values("x") == ["1", "2"])
    }

    @Test func jsonResponses() throws {
        struct Payload: Encodable { let status: String; let count: Int }
        let response = Response.json(Payload(status: "ok", count: 3), status: 201)
        #expect(response.status == 201)
        #expect(response.headers["Content-Type"] == "application/json")
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(object?["status"] as? String == "ok")
        #expect(object?["count"] as? Int == 3)
    }

    @Test func errorResponsesHaveTheServiceShape() throws {
        let response = Response.error(HTTPError(status: 413, message: "Too \"big\"\n"))
        #expect(response.status == 413)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(object["success"] as? Bool == false)
        #expect(object["error"] as? String == "Content Too Large")
        #expect(object["detail"] as? String == "Too \"big\"\n")
    }

    @Test func textResponse() {
        let response = Response.text("héllo")
        #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
        #expect(response.body == Array("héllo".utf8))
    }
}
