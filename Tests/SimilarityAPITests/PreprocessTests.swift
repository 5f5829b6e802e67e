import Foundation
import HTTP
import SimilarityAPI
import Testing

/// `POST /api/v1/preprocess` and `GET /api/v1/preprocess/status`, called as plain functions.
@Suite struct PreprocessTests {
    @Test func firstRunIndexesEverythingThenRunsAreIncremental() throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        let photos = APIFixture.catalogPhotos.count
        let first = fixture.service.respond(to: TestRequests.post("/api/v1/preprocess"))
        #expect(first.status == 200)
        #expect(Set(first.jsonObject.keys).isSuperset(of: ["success", "total_images", "new_images", "removed_images",
                                                          "failed_images", "processing_time", "message"]))
        let summary = try first.decoded(PreprocessResponse.self)
        #expect(summary.success && summary.totalImages == photos && summary.newImages == photos)
        #expect(summary.removedImages == 0 && summary.failedImages == 0 && !summary.message.isEmpty)

        let again = try fixture.service.respond(to: TestRequests.post("/api/v1/preprocess")).decoded(PreprocessResponse.self)
        #expect(again.newImages == 0 && again.unchangedImages == photos && again.totalImages == photos)

        try fixture.addPhoto("p0010.jpg")
        try FileManager.default.removeItem(atPath: fixture.configuration.imagesDirectory + "/p0001.jpg")
        let changed = try fixture.service.respond(to: TestRequests.post("/api/v1/preprocess")).decoded(PreprocessResponse.self)
        #expect(changed.newImages == 1 && changed.removedImages == 1 && changed.totalImages == photos)

        let full = try fixture.service.respond(to: TestRequests.post("/api/v1/preprocess?force_full=true&batch_size=4"))
            .decoded(PreprocessResponse.self)
        #expect(full.totalImages == photos && full.unchangedImages == 0)

        let search = try fixture.service.respond(to: TestRequests.upload(
            "/api/v1/find-similar?threshold=0.5", file: try APIFixture.photo("p0010.jpg"))).decoded(SimilarityResponse.self)
        #expect(search.matches.first?.filename == "p0010.jpg")
        #expect(!search.matches.contains { $0.filename == "p0001.jpg" })
    }

    @Test func statusFollowsTheCatalog() throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        let before = fixture.service.respond(to: TestRequests.get("/api/v1/preprocess/status"))
        #expect(before.status == 200)
        let object = before.jsonObject
        #expect(Set(object.keys).isSuperset(of: ["total_images", "processed_images", "pending_images", "removed_images",
                                                "feature_file_exists", "metadata_file_exists", "last_update"]))
        #expect(object["last_update"] is NSNull)
        let empty = try before.decoded(PreprocessStatusResponse.self)
        #expect(empty.totalImages == APIFixture.catalogPhotos.count && empty.pendingImages == APIFixture.catalogPhotos.count)
        #expect(empty.processedImages == 0 && !empty.featureFileExists && !empty.isRunning)

        _ = fixture.service.respond(to: TestRequests.post("/api/v1/preprocess"))
        try fixture.addPhoto("p0011.jpg")
        let after = try fixture.service.respond(to: TestRequests.get("/api/v1/preprocess/status"))
            .decoded(PreprocessStatusResponse.self)
        #expect(after.totalImages == APIFixture.catalogPhotos.count + 1)
        #expect(after.processedImages == APIFixture.catalogPhotos.count && after.pendingImages == 1)
        #expect(after.featureFileExists && after.metadataFileExists)
        let stamp = try #require(after.lastUpdate)
        let date = try #require(ISO8601DateFormatter().date(from: stamp), "\(stamp)")
        #expect(abs(date.timeIntervalSinceNow) < 600)
    }

    @Test func aSecondRunWhileOneIsGoingIs409() throws {
        let photos = (1...60).map { String(format: "p%04d.jpg", $0) }
        let fixture = try APIFixture(photos: photos, indexed: false)
        defer { fixture.remove() }
        let service = fixture.service
        // A plain thread and a busy wait: the cooperative pool may be busy with other tests.
        let first = Locked<Response?>(nil)
        let thread = Thread { first.set(service.respond(to: TestRequests.post("/api/v1/preprocess?batch_size=4"))) }
        thread.start()
        while !service.catalog.isIndexing && first.get() == nil { usleep(100) }
        try #require(first.get() == nil, "the first run ended before it could be observed")
        let second = service.respond(to: TestRequests.post("/api/v1/preprocess"))
        let duringStatus = try service.respond(to: TestRequests.get("/api/v1/preprocess/status")).decoded(PreprocessStatusResponse.self)
        let duringStats = service.respond(to: TestRequests.get("/stats")).jsonObject
        while first.get() == nil { usleep(1000) }
        ErrorResponseTests.expectError(second, 409, mentioning: "already running")
        #expect(duringStatus.isRunning)
        #expect(duringStats["is_indexing"] as? Bool == true)
        let done = try #require(first.get())
        #expect(done.status == 200)
        #expect(try done.decoded(PreprocessResponse.self).newImages == photos.count)
    }

    @Test func aRunFromAnotherProcessGives409() throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        // What `similarity preprocess` from cron does while it runs: hold the catalog's lock file.
        let lockFile = fixture.configuration.generatedDirectory + "/.preprocess.lock"
        try FileManager.default.createDirectory(atPath: fixture.configuration.generatedDirectory, withIntermediateDirectories: true)
        let descriptor = open(lockFile, O_RDWR | O_CREAT, 0o644)
        try #require(descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let refused = fixture.service.respond(to: TestRequests.post("/api/v1/preprocess"))
        flock(descriptor, LOCK_UN)
        close(descriptor)
        ErrorResponseTests.expectError(refused, 409)
        #expect(fixture.service.respond(to: TestRequests.post("/api/v1/preprocess")).status == 200)
    }
}

/// A value shared between a test and a thread it starts.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&value) } }
}
