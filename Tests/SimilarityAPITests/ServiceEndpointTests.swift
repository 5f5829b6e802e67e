import Foundation
import HTTP
import SimilarityAPI
import Testing

/// `/health`, `/stats` and the documentation endpoints, called as plain functions.
@Suite struct ServiceEndpointTests {
    @Test func healthReportsModelAndFeatures() throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        let before = fixture.service.respond(to: TestRequests.get("/health"))
        #expect(before.status == 200)
        #expect(Set(before.jsonObject.keys) == ["status", "model_loaded", "features_loaded", "total_products"])
        let empty = try before.decoded(HealthResponse.self)
        #expect(empty.status == "healthy" && empty.modelLoaded && !empty.featuresLoaded && empty.totalProducts == 0)
        _ = fixture.service.respond(to: TestRequests.post("/api/v1/preprocess"))
        let after = try fixture.service.respond(to: TestRequests.get("/health")).decoded(HealthResponse.self)
        #expect(after.featuresLoaded && after.totalProducts == APIFixture.catalogPhotos.count)
    }

    @Test func statsHasTheOriginalsFiguresAndTheOperatorsExtras() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let response = fixture.service.respond(to: TestRequests.get("/stats"))
        #expect(response.status == 200)
        #expect(Set(response.jsonObject.keys).isSuperset(of: ["total_products", "feature_dimension", "memory_usage_mb",
                                                             "feature_file_size_mb"]))
        let stats = try response.decoded(StatsResponse.self)
        let count = APIFixture.catalogPhotos.count
        #expect(stats.totalProducts == count && stats.featureDimension == 1024)
        // Half-precision copies of the rows (the float32 rows are read from the feature file).
        #expect(stats.memoryUsageMb >= (Double(count * 1024 * 2) / 1_048_576 * 100).rounded(.down) / 100)
        let fileBytes = try Data(contentsOf: URL(fileURLWithPath: fixture.configuration.generatedDirectory + "/products_feature.h5")).count
        #expect(fileBytes > count * 1024 * 4)
        #expect(abs(stats.featureFileSizeMb - Double(fileBytes) / 1_048_576) < 0.01)
        #expect(stats.model.featureDimension == 1024 && stats.model.inputSize == 224 && stats.model.alpha == 1.0)
        #expect(stats.model.path == APIFixture.modelPath)
        #expect(stats.processRssMb > 10)
        #expect(stats.uptimeSeconds >= 0 && !stats.isIndexing)
        let later = try fixture.service.respond(to: TestRequests.get("/stats")).decoded(StatsResponse.self)
        #expect(later.requestsServed == stats.requestsServed + 1)
    }

    @Test func openAPIDocsAndRedocAreServed() throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        let openAPI = fixture.service.respond(to: TestRequests.get("/openapi.json"))
        #expect(openAPI.status == 200 && openAPI.headers["Content-Type"] == "application/json")
        #expect(openAPI.text == OpenAPIDocument.make(fixture.configuration).serialized)
        for (path, marker) in [("/docs", "swagger-ui"), ("/redoc", "redoc")] {
            let page = fixture.service.respond(to: TestRequests.get(path))
            #expect(page.status == 200)
            #expect(page.headers["Content-Type"]?.hasPrefix("text/html") == true)
            #expect(page.text.contains(marker) && page.text.contains("/openapi.json"))
        }
    }

    @Test func everyDocumentedOperationIsRouted() throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        let document = try #require(try JSONSerialization.jsonObject(
            with: Data(OpenAPIDocument.make(fixture.configuration).serialized.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        for (path, operations) in paths {
            for method in operations.keys {
                let status = fixture.service.respond(to: Request(method: method.uppercased(), target: path)).status
                #expect(status != 404 && status != 405, "\(method) \(path)")
            }
        }
    }
}
