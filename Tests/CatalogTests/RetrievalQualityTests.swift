import Catalog
import Foundation
import Testing
import TestSupport

/// Retrieval quality on the dev corpus (`../shared/bench/dev`): index its 159 catalog photos, query
/// each of its 603 files, and compare with the ground truth. TensorFlow's reference: recall@1 = 1.000,
/// top-1 correct with score ≥ 0.84 for 0.90 of queries, 10/10 distractors without a match ≥ 0.84.
@Suite("Retrieval quality", .serialized)
struct RetrievalQualityTests {
    static let threshold: Float = 0.84

    struct Query {
        let file: String
        let expected: String?  // catalog id, nil for a distractor
        let transform: String
    }

    static func groundTruth() throws -> [Query] {
        let text = try String(contentsOf: TestPaths.benchDev.appendingPathComponent("ground_truth.csv"), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let expected = fields[1].isEmpty ? nil : String(fields[1].split(separator: ".")[0])
            return Query(file: fields[0], expected: expected, transform: fields[2])
        }
    }

    @Test("dev corpus: recall@1 ≥ 0.99, ≥ 0.88 correct above 0.84, every distractor rejected")
    func devCorpus() throws {
        let scratch = try Fixtures.Scratch("quality")
        defer { scratch.cleanUp() }
        try FileManager.default.removeItem(at: scratch.images)
        try FileManager.default.createSymbolicLink(at: scratch.images, withDestinationURL: TestPaths.benchDev.appendingPathComponent("catalog"))
        let catalog = try scratch.open()
        let summary = try catalog.preprocess()
        #expect(summary.newImages == 159 && summary.failedImages == 0)
        let store = catalog.store

        let queries = try Self.groundTruth()
        #expect(queries.count == 603)
        let embedder = QueryEmbedder(model: Fixtures.model)
        var tally: [String: (count: Int, top1: Int, above: Int, scoreSum: Float)] = [:]
        var distractorsRejected = 0, distractorMax: Float = -1
        for query in queries {
            let path = TestPaths.benchDev.appendingPathComponent("queries").appendingPathComponent(query.file).path
            let best = store.search(try embedder.embed(fileAt: path), topK: 1, threshold: -1).first
            let score = best?.score ?? -1
            guard let expected = query.expected else {
                if score < Self.threshold { distractorsRejected += 1 }
                distractorMax = max(distractorMax, score)
                continue
            }
            var entry = tally[query.transform] ?? (0, 0, 0, 0)
            entry.count += 1
            entry.scoreSum += score
            if best?.id == expected {
                entry.top1 += 1
                if score >= Self.threshold { entry.above += 1 }
            }
            tally[query.transform] = entry
        }
        let total = tally.values.reduce((0, 0, 0)) { ($0.0 + $1.count, $0.1 + $1.top1, $0.2 + $1.above) }
        let recall = Double(total.1) / Double(total.0)
        let above = Double(total.2) / Double(total.0)
        print("retrieval quality (dev): transform, queries, recall@1, top-1 correct ≥ \(Self.threshold), mean top-1 score")
        for (transform, entry) in tally.sorted(by: { $0.key < $1.key }) {
            print("  " + transform.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: " %4d  %.3f  %.3f  %.3f", entry.count,
                         Double(entry.top1) / Double(entry.count), Double(entry.above) / Double(entry.count),
                         Double(entry.scoreSum) / Double(entry.count)))
        }
        print("  " + "all".padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: " %4d  %.3f  %.3f", total.0, recall, above))
        print(String(format: "  distractors rejected: %d/10 (highest score %.4f)", distractorsRejected, distractorMax))
        #expect(recall >= 0.99)
        #expect(above >= 0.88)
        #expect(distractorsRejected == 10)
    }

    @Test("the catalog's stored vectors equal what the query path computes for the same files")
    func indexAndQueryPathsAgree() throws {
        let scratch = try Fixtures.Scratch("paths-agree")
        defer { scratch.cleanUp() }
        for index in [0, 40, 80, 120] { try scratch.add(photo: index, as: "p\(index).jpg") }
        let catalog = try scratch.open()
        _ = try catalog.preprocess(batchSize: 3)
        let embedder = QueryEmbedder(model: Fixtures.model)
        for (row, id) in catalog.store.ids.enumerated() {
            let vector = try embedder.embed(fileAt: scratch.images.appendingPathComponent(id + ".jpg").path)
            #expect(Fixtures.cosine(vector, catalog.store.vector(at: row)) > 0.99999)
        }
        #expect(throws: (any Error).self) { try embedder.embed(imageBytes: Array("garbage".utf8)) }
    }
}
