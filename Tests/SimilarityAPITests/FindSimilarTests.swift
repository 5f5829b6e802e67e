import Foundation
import HTTP
import SimilarityAPI
import Testing

/// `POST /api/v1/find-similar`, called as a plain function (no socket).
@Suite struct FindSimilarTests {
    @Test func aCatalogPhotoFindsItselfFirstWithFieldsOfTheOriginal() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let response = fixture.service.respond(to: TestRequests.upload(
            "/api/v1/find-similar?threshold=0.5&top_k=3", file: try APIFixture.photo("p0003.jpg")))
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/json")
        let object = response.jsonObject
        #expect(Set(object.keys) == ["success", "matches", "total_compared", "processing_time_ms", "threshold_used"])
        let matches = try #require(object["matches"] as? [[String: Any]])
        let best = try #require(matches.first)
        #expect(Set(best.keys) == ["image_id", "image_path", "filename", "similarity_score"])
        #expect(best["image_id"] as? String == "p0003")
        #expect(best["filename"] as? String == "p0003.jpg")
        #expect(best["image_path"] as? String == fixture.configuration.imagesDirectory + "/p0003.jpg")
        #expect((best["similarity_score"] as? Double ?? 0) > 0.99)
        let answer = try response.decoded(SimilarityResponse.self)
        #expect(answer.success && answer.totalCompared == APIFixture.catalogPhotos.count && answer.thresholdUsed == 0.5)
        #expect(answer.matches.count <= 3)
        #expect(answer.matches.allSatisfy { $0.similarityScore >= 0.5 })
        #expect(zip(answer.matches, answer.matches.dropFirst()).allSatisfy { $0.similarityScore >= $1.similarityScore })
        #expect(answer.processingTimeMs > 0)
    }

    @Test func transformedShopperPhotosFindTheirProduct() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let cases = try APIFixture.queries("hflip") + APIFixture.queries("png") + APIFixture.queries("brightness_contrast")
        try #require(!cases.isEmpty)
        for (query, expected) in cases {
            let response = fixture.service.respond(to: TestRequests.upload(
                "/api/v1/find-similar?threshold=0&top_k=1", file: try APIFixture.photo(query), filename: query))
            let answer = try response.decoded(SimilarityResponse.self)
            #expect(answer.matches.first?.filename == expected, "\(query)")
        }
    }

    @Test func defaultsAreThresholdFromTheConfigurationAndTenResults() throws {
        let fixture = try APIFixture(photos: APIFixture.catalogPhotos + (7...14).map { String(format: "p%04d.jpg", $0) }) {
            $0.defaultThreshold = 0.0
        }
        defer { fixture.remove() }
        let response = fixture.service.respond(to: TestRequests.upload("/api/v1/find-similar",
                                                                       file: try APIFixture.photo("p0001.jpg")))
        let answer = try response.decoded(SimilarityResponse.self)
        #expect(answer.thresholdUsed == 0.0)
        #expect(answer.totalCompared == 14)
        #expect(answer.matches.count == 10)
    }

    @Test func theThresholdFiltersAndTopKLimits() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let image = try APIFixture.photo("p0002.jpg")
        let all = try fixture.service.respond(to: TestRequests.upload("/api/v1/find-similar?threshold=0&top_k=100", file: image))
            .decoded(SimilarityResponse.self)
        #expect(all.matches.count == APIFixture.catalogPhotos.count)
        let cut = try #require(all.matches.dropFirst().first?.similarityScore)
        let strict = try fixture.service.respond(to: TestRequests.upload(
            "/api/v1/find-similar?threshold=\(Double(cut) + 0.0001)&top_k=100", file: image)).decoded(SimilarityResponse.self)
        #expect(strict.matches.map(\.filename) == ["p0002.jpg"])
        let two = try fixture.service.respond(to: TestRequests.upload("/api/v1/find-similar?threshold=0&top_k=2", file: image))
            .decoded(SimilarityResponse.self)
        #expect(two.matches == Array(all.matches.prefix(2)))
    }

    @Test(arguments: [("image/jpeg" as String?), "application/octet-stream", nil, "text/plain"])
    func theFormatIsDecidedByContentNotByThePartsContentType(partType: String?) throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let response = fixture.service.respond(to: TestRequests.upload(
            "/api/v1/find-similar?threshold=0.5", file: try APIFixture.photo("p0004.jpg"), filename: "blob",
            partContentType: partType))
        #expect(response.status == 200)
        #expect(try response.decoded(SimilarityResponse.self).matches.first?.filename == "p0004.jpg")
    }

    @Test func pngUploadsWork() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let png = try #require(try APIFixture.queries("png").first)
        let response = fixture.service.respond(to: TestRequests.upload(
            "/api/v1/find-similar?threshold=0", file: try APIFixture.photo(png.query), filename: png.query,
            partContentType: "image/png"))
        #expect(response.status == 200)
        #expect(try response.decoded(SimilarityResponse.self).matches.first?.filename == png.expected)
    }

    @Test func nothingIsLeftInTheUploadsFolder() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        _ = fixture.service.respond(to: TestRequests.upload("/api/v1/find-similar", file: try APIFixture.photo("p0001.jpg")))
        _ = fixture.service.respond(to: TestRequests.upload("/api/v1/find-similar", file: Array("not an image".utf8)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.configuration.uploadsDirectory).isEmpty)
    }
}
