import Dispatch
import Foundation
import MobileNet
import Testing

/// Extractors on several threads at once, and their own helper threads.
@Suite struct ThreadingTests {
    @Test func extractorsOnConcurrentThreadsAgree() throws {
        let model = try GoldenData.alpha025.get()
        let images = try GoldenData.images.map { try GoldenData.input($0) }
        let expected = images.map { image in
            image.withUnsafeBufferPointer { FeatureExtractor(model: model, threads: 1).embed($0.baseAddress!, count: 1) }
        }
        let results = Results(count: images.count)
        DispatchQueue.concurrentPerform(iterations: images.count) { index in
            let extractor = FeatureExtractor(model: model, maxBatch: 1, threads: 2)
            for _ in 0..<3 {
                results.set(index, images[index].withUnsafeBufferPointer { extractor.embed($0.baseAddress!, count: 1) })
            }
        }
        for index in images.indices {
            #expect(GoldenData.compare(results.get(index), expected[index]).maxAbsDiff <= 1e-6)
        }
    }

    @Test func releasedExtractorsEndTheirThreads() throws {
        let tasks = "/proc/self/task"
        guard FileManager.default.fileExists(atPath: tasks) else { return }  // Linux only
        let model = try GoldenData.alpha025.get()
        let input = [Float](repeating: 0.1, count: 2 * 224 * 224 * 3)
        func threadCount() throws -> Int { try FileManager.default.contentsOfDirectory(atPath: tasks).count }
        // Warm up whatever threads the runtime keeps anyway.
        _ = input.withUnsafeBufferPointer { FeatureExtractor(model: model, threads: 3).embed($0.baseAddress!, count: 1) }
        let before = try threadCount()
        for _ in 0..<30 {
            let extractor = FeatureExtractor(model: model, threads: 3)
            _ = input.withUnsafeBufferPointer { extractor.embed($0.baseAddress!, count: 2) }
        }
        // Helpers end asynchronously after their extractor is released; give them a moment. Other
        // tests running meanwhile have a few threads of their own: 60 leaked helpers would not fit.
        var after = try threadCount()
        for _ in 0..<200 where after > before + 24 {
            Thread.sleep(forTimeInterval: 0.01)
            after = try threadCount()
        }
        #expect(after <= before + 24, "threads: \(before) before, \(after) after 30 extractors with 2 helpers each")
    }
}

/// Rows written by concurrent test threads.
private final class Results: @unchecked Sendable {
    private var rows: [[Float]]
    private let lock = NSLock()
    init(count: Int) { rows = Array(repeating: [], count: count) }
    func set(_ index: Int, _ row: [Float]) { lock.lock(); rows[index] = row; lock.unlock() }
    func get(_ index: Int) -> [Float] { lock.lock(); defer { lock.unlock() }; return rows[index] }
}
