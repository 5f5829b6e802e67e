import Foundation
import TestSupport
import Testing

/// `similarity preprocess` and `similarity search` as a cron job or a script runs them: real photos,
/// the release binary, and the JSON they print.
@Suite struct CommandLineTests {
    static let binary = ServeCommandTests.binary

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary), "needs the release binary"))
    func preprocessThenSearchPrintTheirJSON() throws {
        let folder = try TestPaths.makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let images = folder.appendingPathComponent("images"), generated = folder.appendingPathComponent("generated")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let photos = Array(APIFixture.catalogPhotos.prefix(3))
        for photo in photos {
            try Data(APIFixture.photo(photo)).write(to: images.appendingPathComponent(photo))
        }
        let folders = ["--images", images.path, "--generated", generated.path, "--model", APIFixture.modelPath]

        let indexed = try ExternalTools.run(Self.binary, ["preprocess", "--json"] + folders)
        #expect(indexed.status == 0, "\(indexed.output)")
        let summary = try #require(Self.lastJSONObject(indexed.output))
        #expect(summary["success"] as? Bool == true)
        #expect(summary["new_images"] as? Int == 3 && summary["total_images"] as? Int == 3)
        #expect(summary["failed_images"] as? Int == 0 && summary["processing_time"] is Double)

        let query = images.appendingPathComponent(photos[1]).path
        let found = try ExternalTools.run(Self.binary, ["search", query, "--top-k", "2", "--threshold", "0"] + folders + ["--json"])
        #expect(found.status == 0, "\(found.output)")
        let answer = try #require(Self.lastJSONObject(found.output))
        #expect(answer["total_compared"] as? Int == 3 && answer["threshold_used"] as? Double == 0)
        let matches = try #require(answer["matches"] as? [[String: Any]])
        #expect(matches.count == 2)
        #expect(matches.first?["filename"] as? String == photos[1])
        #expect((matches.first?["similarity_score"] as? Double ?? 0) >= 0.9999)

        let plain = try ExternalTools.run(Self.binary, ["search", query, "--top-k", "1"] + folders)
        #expect(plain.status == 0 && plain.output.contains("1.0000  \((photos[1] as NSString).deletingPathExtension)  "),
                "\(plain.output)")
    }

    /// The last line of `output` that parses as a JSON object (log lines may come before it).
    private static func lastJSONObject(_ output: String) -> [String: Any]? {
        for line in output.split(separator: "\n").reversed() where line.hasPrefix("{") {
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] { return object }
        }
        return nil
    }
}
