import Foundation
import HTTP
import Logging
import SimilarityAPI
import TestSupport

/// A temporary catalog of real photos from the dev benchmark corpus, and a service (plus, when
/// asked, a real server on an ephemeral loopback port) over it. Call `remove()` when done.
final class APIFixture: Sendable {
    let folder: URL
    let configuration: APIConfiguration
    let server: SimilarityServer
    var service: SimilarityService { server.service }
    /// `http://127.0.0.1:PORT`.
    var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// The catalog photos every fixture starts with.
    static let catalogPhotos = ["p0001.jpg", "p0002.jpg", "p0003.jpg", "p0004.jpg", "p0005.jpg", "p0006.jpg"]

    /// A fixture with `photos` copied into its images folder, indexed first when `indexed`.
    init(photos: [String] = APIFixture.catalogPhotos, indexed: Bool = true,
         adjust: (inout APIConfiguration) -> Void = { _ in }) throws {
        folder = try TestPaths.makeTemporaryDirectory("api")
        var configuration = APIConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.imagesDirectory = folder.appendingPathComponent("product_images").path
        configuration.generatedDirectory = folder.appendingPathComponent("__generated__").path
        configuration.uploadsDirectory = folder.appendingPathComponent("uploads").path
        configuration.modelPath = Self.modelPath
        configuration.workerCount = 4
        adjust(&configuration)
        self.configuration = configuration
        try FileManager.default.createDirectory(atPath: configuration.imagesDirectory, withIntermediateDirectories: true)
        for photo in photos { try Self.copyPhoto(photo, into: configuration.imagesDirectory) }
        var logger = Logger(label: "test.api")
        logger.logLevel = .warning
        server = try SimilarityServer(configuration: configuration, logger: logger)
        if indexed {
            let response = service.respond(to: Request(method: "POST", target: "/api/v1/preprocess"))
            guard response.status == 200 else {
                throw FixtureError(description: "preprocess failed: \(String(decoding: response.body, as: UTF8.self))")
            }
        }
    }

    /// Copies a dev catalog photo into the images folder.
    func addPhoto(_ name: String) throws {
        try Self.copyPhoto(name, into: configuration.imagesDirectory)
    }

    private static func copyPhoto(_ name: String, into folder: String) throws {
        try FileManager.default.copyItem(at: catalogFolder.appendingPathComponent(name),
                                         to: URL(fileURLWithPath: folder).appendingPathComponent(name))
    }

    func remove() {
        server.shutdown()
        try? FileManager.default.removeItem(at: folder)
    }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
    }

    static let catalogFolder = TestPaths.benchDev.appendingPathComponent("catalog")
    static let queriesFolder = TestPaths.benchDev.appendingPathComponent("queries")

    /// The weights as scripts/fetch-model.sh places them, else the shared copy.
    static var modelPath: String {
        let local = TestPaths.defaultModel.path
        if FileManager.default.fileExists(atPath: local) { return local }
        return TestPaths.sharedModels.appendingPathComponent("mobilenet_1_0_224_tf_no_top.h5").path
    }

    /// The bytes of a dev catalog photo or query.
    static func photo(_ name: String) throws -> [UInt8] {
        let folder = name.hasPrefix("q") ? queriesFolder : catalogFolder
        return Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// Dev queries of `transform` whose expected catalog photo is among `photos`, from ground_truth.csv.
    static func queries(_ transform: String, among photos: [String] = catalogPhotos) throws -> [(query: String, expected: String)] {
        let text = try String(contentsOf: TestPaths.benchDev.appendingPathComponent("ground_truth.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, fields[2] == transform, photos.contains(fields[1]) else { return nil }
            return (fields[0], fields[1])
        }
    }
}

/// Requests as a client would send them, for calling `SimilarityService.respond(to:)` directly.
enum TestRequests {
    static let boundary = "----testboundary3f9a2c"

    /// A multipart/form-data POST with one file part (`partContentType` nil omits the part's header).
    static func upload(_ target: String, file: [UInt8], field: String = "file", filename: String = "image.jpg",
                       partContentType: String? = "image/jpeg") -> Request {
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\n".utf8)
        if let partContentType { body += Array("Content-Type: \(partContentType)\r\n".utf8) }
        body += Array("\r\n".utf8) + file + Array("\r\n--\(boundary)--\r\n".utf8)
        return Request(method: "POST", target: target,
                       headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"], body: body)
    }

    static func get(_ target: String) -> Request { Request(method: "GET", target: target) }
    static func post(_ target: String) -> Request { Request(method: "POST", target: target) }
}

extension Response {
    /// The body parsed as a JSON object (empty when it is not one).
    var jsonObject: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// The body decoded as `type`.
    func decoded<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(body))
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}
