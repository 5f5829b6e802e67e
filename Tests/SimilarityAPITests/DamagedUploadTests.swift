import Foundation
import HTTP
import SimilarityAPI
import Testing

/// Damaged uploads of every kind get a 4xx answer in the error shape, never a 500 or a crash.
@Suite struct DamagedUploadTests {
    /// Deterministic byte damage: truncations at many lengths and bytes overwritten at random offsets.
    static func damagedVariants(of bytes: [UInt8], seed: UInt64) -> [[UInt8]] {
        var state = seed
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var variants = [1, 2, 3, 8, 16, 33, 100, 300, 1000, bytes.count / 2, bytes.count - 1].map { Array(bytes.prefix($0)) }
        for _ in 0..<16 {
            var copy = bytes
            for _ in 0..<(1 + next() % 12) { copy[next() % copy.count] = UInt8(truncatingIfNeeded: next()) }
            variants.append(copy)
        }
        for _ in 0..<4 {
            var copy = bytes
            let start = next() % copy.count
            copy.replaceSubrange(start..<min(copy.count, start + 200), with: [UInt8](repeating: 0, count: 7))
            variants.append(copy)
        }
        return variants
    }

    @Test func damagedJPEGsAndPNGsNeverCauseA500() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let png = try #require(try APIFixture.queries("png").first)
        let originals = [try APIFixture.photo("p0001.jpg"), try APIFixture.photo(png.query)]
        var statuses: [Int: Int] = [:]
        for (index, original) in originals.enumerated() {
            for variant in Self.damagedVariants(of: original, seed: UInt64(index + 1)) {
                let response = fixture.service.respond(to: TestRequests.upload("/api/v1/find-similar?threshold=0", file: variant))
                statuses[response.status, default: 0] += 1
                #expect([200, 400, 413, 415].contains(response.status), "\(response.status): \(response.text)")
                if response.status != 200 {
                    #expect(response.jsonObject["success"] as? Bool == false && response.jsonObject["error"] is String)
                }
            }
        }
        #expect(statuses[400, default: 0] > 0, "truncated files are reported as damaged: \(statuses)")
        // The service still answers normally afterwards.
        let after = fixture.service.respond(to: TestRequests.upload("/api/v1/find-similar", file: originals[0]))
        #expect(after.status == 200)
    }

    @Test func damagedMultipartBodiesAreClientErrors() throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let good = TestRequests.upload("/api/v1/find-similar", file: try APIFixture.photo("p0002.jpg"))
        let contentType = try #require(good.headers["Content-Type"])
        for variant in Self.damagedVariants(of: Array(good.body.prefix(400)) + Array(good.body.suffix(200)), seed: 9) {
            let request = Request(method: "POST", target: "/api/v1/find-similar", headers: ["Content-Type": contentType],
                                  body: variant)
            let status = fixture.service.respond(to: request).status
            #expect((400..<500).contains(status), "\(status)")
        }
    }
}
