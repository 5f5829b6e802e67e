import Foundation
import HTTP
import SimilarityAPI
import Testing

/// Every error status the API answers with, and its JSON shape, called as a plain function.
@Suite struct ErrorResponseTests {
    /// Checks the shape `{"success": false, "error": "...", "detail": ...}` and returns the object.
    @discardableResult
    static func expectError(_ response: Response, _ status: Int, mentioning fragment: String? = nil,
                            sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
        let object = response.jsonObject
        #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
        #expect(object["success"] as? Bool == false, sourceLocation: sourceLocation)
        #expect((object["error"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(object["detail"] != nil, sourceLocation: sourceLocation)
        if let fragment {
            #expect(response.text.lowercased().contains(fragment.lowercased()), "\(response.text)",
                    sourceLocation: sourceLocation)
        }
        return object
    }

    @Test(arguments: [
        ("/api/v1/find-similar?top_k=0", "top_k", "greater_than_equal"),
        ("/api/v1/find-similar?top_k=101", "top_k", "less_than_equal"),
        ("/api/v1/find-similar?top_k=ten", "top_k", "int_parsing"),
        ("/api/v1/find-similar?top_k=2.5", "top_k", "int_parsing"),
        ("/api/v1/find-similar?threshold=1.01", "threshold", "less_than_equal"),
        ("/api/v1/find-similar?threshold=-0.1", "threshold", "greater_than_equal"),
        ("/api/v1/find-similar?threshold=high", "threshold", "float_parsing"),
        ("/api/v1/find-similar?threshold=nan", "threshold", "finite_number"),
        ("/api/v1/find-similar?threshold=", "threshold", "float_parsing"),
    ])
    func findSimilarRejectsBadParametersWith422NamingThem(target: String, parameter: String, type: String) throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let response = fixture.service.respond(to: TestRequests.upload(target, file: try APIFixture.photo("p0001.jpg")))
        let object = Self.expectError(response, 422, mentioning: parameter)
        let detail = try #require(object["detail"] as? [[String: Any]])
        #expect(detail.count == 1)
        #expect(detail.first?["loc"] as? [String] == ["query", parameter])
        #expect(detail.first?["type"] as? String == type)
        #expect((detail.first?["msg"] as? String)?.isEmpty == false)
    }

    @Test(arguments: [
        ("/api/v1/preprocess?force_full=maybe", "force_full"),
        ("/api/v1/preprocess?force_full=", "force_full"),
        ("/api/v1/preprocess?batch_size=0", "batch_size"),
        ("/api/v1/preprocess?batch_size=129", "batch_size"),
        ("/api/v1/preprocess?batch_size=big", "batch_size"),
    ])
    func preprocessRejectsBadParametersWith422(target: String, parameter: String) throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        let object = Self.expectError(fixture.service.respond(to: TestRequests.post(target)), 422, mentioning: parameter)
        #expect((object["detail"] as? [[String: Any]])?.first?["loc"] as? [String] == ["query", parameter])
        #expect(fixture.service.catalog.store.count == 0, "nothing was indexed")
    }

    @Test func everyBadParameterIsReportedAtOnce() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let response = fixture.service.respond(to: TestRequests.upload(
            "/api/v1/find-similar?threshold=2&top_k=0", file: try APIFixture.photo("p0001.jpg")))
        let detail = try #require(Self.expectError(response, 422)["detail"] as? [[String: Any]])
        #expect(Set(detail.compactMap { ($0["loc"] as? [String])?.last }) == ["threshold", "top_k"])
    }

    @Test func lenientValuesTheOriginalAcceptedStillWork() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let response = fixture.service.respond(to: TestRequests.upload(
            "/api/v1/find-similar?threshold=.5&top_k=+2", file: try APIFixture.photo("p0001.jpg")))
        let answer = try response.decoded(SimilarityResponse.self)
        #expect(answer.thresholdUsed == 0.5 && answer.matches.count <= 2)
        let preprocess = fixture.service.respond(to: TestRequests.post("/api/v1/preprocess?force_full=yes&batch_size=8"))
        #expect(preprocess.status == 200)
        #expect(try preprocess.decoded(PreprocessResponse.self).newImages == APIFixture.catalogPhotos.count)
    }

    @Test func findSimilarBeforeAnyIndexIs503RunPreprocessingFirst() throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        let response = fixture.service.respond(to: TestRequests.upload("/api/v1/find-similar",
                                                                       file: try APIFixture.photo("p0001.jpg")))
        Self.expectError(response, 503, mentioning: "run preprocessing first")
    }

    @Test func missingOrMalformedMultipartIs400() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let image = try APIFixture.photo("p0001.jpg")
        let noContentType = Request(method: "POST", target: "/api/v1/find-similar", body: image)
        Self.expectError(fixture.service.respond(to: noContentType), 400, mentioning: "multipart")
        let rawJPEG = Request(method: "POST", target: "/api/v1/find-similar", headers: ["Content-Type": "image/jpeg"], body: image)
        Self.expectError(fixture.service.respond(to: rawJPEG), 400, mentioning: "multipart")
        let noBoundary = Request(method: "POST", target: "/api/v1/find-similar",
                                 headers: ["Content-Type": "multipart/form-data"], body: image)
        Self.expectError(fixture.service.respond(to: noBoundary), 400)
        let garbage = Request(method: "POST", target: "/api/v1/find-similar",
                              headers: ["Content-Type": "multipart/form-data; boundary=xyz"], body: Array("no parts here".utf8))
        Self.expectError(fixture.service.respond(to: garbage), 400)
        let otherField = TestRequests.upload("/api/v1/find-similar", file: image, field: "image")
        Self.expectError(fixture.service.respond(to: otherField), 400, mentioning: "'file'")
        let emptyFile = TestRequests.upload("/api/v1/find-similar", file: [])
        Self.expectError(fixture.service.respond(to: emptyFile), 400, mentioning: "empty")
    }

    @Test(arguments: [
        ("text", Array("hello, I am not an image".utf8)),
        ("gif", Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 64)),
        ("pdf", Array("%PDF-1.4\n".utf8) + [UInt8](repeating: 0x20, count: 64)),
    ])
    func notAnImageIs415(kind: String, bytes: [UInt8]) throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let response = fixture.service.respond(to: TestRequests.upload("/api/v1/find-similar", file: bytes,
                                                                       partContentType: "image/jpeg"))
        Self.expectError(response, 415, mentioning: "JPEG or PNG")
    }

    @Test func aDamagedJPEGIs400() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let image = try APIFixture.photo("p0001.jpg")
        let damaged = Array(image.prefix(20)) + [UInt8](repeating: 0x55, count: 2000)
        let response = fixture.service.respond(to: TestRequests.upload("/api/v1/find-similar", file: damaged))
        Self.expectError(response, 400, mentioning: "decod")
    }

    @Test func anImageWithTooManyPixelsIs413() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let response = fixture.service.respond(to: TestRequests.upload(
            "/api/v1/find-similar", file: PNGHeader.bytes(width: 30_000, height: 30_000), partContentType: "image/png"))
        Self.expectError(response, 413, mentioning: "too large")
    }

    @Test func aFileOverTheUploadLimitIs413() throws {
        let fixture = try APIFixture { $0.maxUploadBytes = 20_000 }
        defer { fixture.remove() }
        let response = fixture.service.respond(to: TestRequests.upload("/api/v1/find-similar",
                                                                       file: try APIFixture.photo("p0001.jpg")))
        Self.expectError(response, 413, mentioning: "too large")
    }

    @Test func unknownPathsAndMethodsAnswerInTheSameShape() throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        Self.expectError(fixture.service.respond(to: TestRequests.get("/api/v1/nothing")), 404)
        let wrongMethod = fixture.service.respond(to: TestRequests.get("/api/v1/find-similar"))
        Self.expectError(wrongMethod, 405)
        #expect(wrongMethod.headers["Allow"]?.contains("POST") == true)
    }
}

/// A PNG that states its dimensions and has no pixel data: signature, IHDR, an empty IDAT, IEND.
enum PNGHeader {
    static func bytes(width: UInt32, height: UInt32) -> [UInt8] {
        func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + data
            return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0]) + chunk("IDAT", []) + chunk("IEND", [])
    }

    /// CRC-32 (ISO-HDLC), as PNG chunks use.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
