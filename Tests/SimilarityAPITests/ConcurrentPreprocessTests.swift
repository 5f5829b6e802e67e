import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTP
import SimilarityAPI
import Testing

/// An index run while shoppers keep searching: no request fails, and every answer comes from either
/// the old index or the new one, switching once the run is done.
@Suite struct ConcurrentPreprocessTests {
    struct Observation {
        let status: Int
        let totalCompared: Int
        let matchCount: Int
        let startedAfterSwap: Bool
    }

    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var observations: [[Observation]] = []
        private var swapped = false
        private var stopped = false

        var isSwapped: Bool { lock.withLock { swapped } }
        var isStopped: Bool { lock.withLock { stopped } }
        func markSwapped() { lock.withLock { swapped = true } }
        func stop() { lock.withLock { stopped = true } }
        func record(_ stream: [Observation]) { lock.withLock { observations.append(stream) } }
        var streams: [[Observation]] { lock.withLock { observations } }
    }

    static func post(_ url: URL, body: [UInt8] = [], contentType: String? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }

    @Test func searchesKeepAnsweringAndSwitchCleanlyToTheNewIndex() async throws {
        let fixture = try APIFixture()
        defer { fixture.remove() }
        let before = APIFixture.catalogPhotos.count
        let added = (20...59).map { String(format: "p%04d.jpg", $0) }
        for photo in added { try fixture.addPhoto(photo) }
        let after = before + added.count

        let upload = TestRequests.upload("/", file: try APIFixture.photo("p0001.jpg"))
        let contentType = try #require(upload.headers["Content-Type"])
        let searchURL = try #require(URL(string: fixture.baseURL + "/api/v1/find-similar?threshold=0&top_k=100"))
        let recorder = Recorder()

        async let preprocessed: (Int, [String: Any]) = {
            try await Task.sleep(for: .milliseconds(100))
            let result = try await Self.post(try #require(URL(string: fixture.baseURL + "/api/v1/preprocess")))
            recorder.markSwapped()
            return result
        }()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    var stream: [Observation] = []
                    var afterSwap = 0
                    while afterSwap < 5 && stream.count < 10_000 {
                        let startedAfterSwap = recorder.isSwapped
                        let (status, object) = try await Self.post(searchURL, body: upload.body, contentType: contentType)
                        stream.append(Observation(status: status, totalCompared: object["total_compared"] as? Int ?? -1,
                                                  matchCount: (object["matches"] as? [Any])?.count ?? -1,
                                                  startedAfterSwap: startedAfterSwap))
                        if startedAfterSwap { afterSwap += 1 }
                    }
                    recorder.record(stream)
                }
            }
            try await group.waitForAll()
        }
        let (preprocessStatus, summary) = try await preprocessed
        #expect(preprocessStatus == 200 && summary["new_images"] as? Int == added.count)

        let streams = recorder.streams
        #expect(streams.count == 3)
        for stream in streams {
            #expect(stream.allSatisfy { $0.status == 200 })
            #expect(stream.allSatisfy { [before, after].contains($0.totalCompared) })
            #expect(stream.allSatisfy { $0.matchCount == $0.totalCompared }, "each answer comes from one whole index")
            let sizes = stream.map(\.totalCompared)
            #expect(sizes == sizes.sorted(), "never back to the old index once the new one answered")
            #expect(stream.filter(\.startedAfterSwap).allSatisfy { $0.totalCompared == after })
        }
        #expect(streams.flatMap { $0 }.contains { $0.totalCompared == before && !$0.startedAfterSwap },
                "some searches were answered from the old index")
    }
}
