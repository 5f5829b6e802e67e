import Foundation
import SimilarityAPI
import TestSupport
import Testing

struct OpenAPIDocumentTests {
    private func document(_ configuration: APIConfiguration = APIConfiguration()) throws -> [String: Any] {
        let text = OpenAPIDocument.make(configuration).serialized
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func describesEveryEndpointOfTheOriginal() throws {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        #expect(Set(paths.keys) == ["/api/v1/preprocess", "/api/v1/preprocess/status", "/api/v1/find-similar",
                                    "/health", "/stats"])
        #expect(paths["/api/v1/preprocess"]?["post"] != nil)
        #expect(paths["/api/v1/preprocess/status"]?["get"] != nil)
        #expect(paths["/api/v1/find-similar"]?["post"] != nil)
        #expect(paths["/health"]?["get"] != nil)
        #expect(paths["/stats"]?["get"] != nil)
    }

    @Test func parameterDefaultsAndRangesAreTheOriginalsAndFollowTheConfiguration() throws {
        var configuration = APIConfiguration()
        configuration.defaultThreshold = 0.9
        let paths = try #require(try document(configuration)["paths"] as? [String: [String: [String: Any]]])
        func schema(_ path: String, _ method: String, _ name: String) -> [String: Any]? {
            let parameters = paths[path]?[method]?["parameters"] as? [[String: Any]]
            return parameters?.first { $0["name"] as? String == name }?["schema"] as? [String: Any]
        }
        let threshold = try #require(schema("/api/v1/find-similar", "post", "threshold"))
        #expect(threshold["default"] as? Double == 0.9)
        #expect(threshold["minimum"] as? Double == 0 && threshold["maximum"] as? Double == 1)
        let topK = try #require(schema("/api/v1/find-similar", "post", "top_k"))
        #expect(topK["default"] as? Int == 10 && topK["minimum"] as? Int == 1 && topK["maximum"] as? Int == 100)
        let forceFull = try #require(schema("/api/v1/preprocess", "post", "force_full"))
        #expect(forceFull["type"] as? String == "boolean" && forceFull["default"] as? Bool == false)
        let batchSize = try #require(schema("/api/v1/preprocess", "post", "batch_size"))
        #expect(batchSize["default"] as? Int == 32 && batchSize["minimum"] as? Int == 1 && batchSize["maximum"] as? Int == 128)
    }

    @Test func findSimilarDocumentsEveryErrorStatus() throws {
        let paths = try #require(try document()["paths"] as? [String: [String: [String: Any]]])
        let responses = try #require(paths["/api/v1/find-similar"]?["post"]?["responses"] as? [String: Any])
        #expect(Set(responses.keys) == ["200", "400", "413", "415", "422", "503"])
        let preprocess = try #require(paths["/api/v1/preprocess"]?["post"]?["responses"] as? [String: Any])
        #expect(Set(preprocess.keys).isSuperset(of: ["200", "409", "422"]))
    }

    @Test(.enabled(if: ExternalTools.pythonHas("openapi_spec_validator", installing: "openapi-spec-validator"), "needs python3 with openapi-spec-validator"))
    func isValidOpenAPI31() throws {
        let folder = try TestPaths.makeTemporaryDirectory("openapi")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("openapi.json")
        try Data(OpenAPIDocument.make(APIConfiguration()).serialized.utf8).write(to: file)
        let result = try ExternalTools.run("python3", [
            "-c", "import json, sys; from openapi_spec_validator import validate; "
                + "d = json.load(open(sys.argv[1])); validate(d); print(d['openapi'])",
            file.path,
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.hasPrefix("3.1"))
    }
}

struct JSONValueTests {
    @Test func serializesEscapesAndKeepsMemberOrder() throws {
        let value: JSONValue = ["z": "quote \" backslash \\ newline \n tab \t bell \u{07} é", "a": [1, 2.5, true, nil]]
        let text = value.serialized
        #expect(text.hasPrefix("{\"z\":"))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["z"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} é")
        let array = try #require(parsed["a"] as? [Any])
        #expect(array.count == 4 && array[0] as? Int == 1 && array[1] as? Double == 2.5 && array[3] is NSNull)
    }
}
