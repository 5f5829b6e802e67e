import Catalog
import Foundation
import HDF5
import MobileNet
import Testing
import TestSupport

@Suite("Index files", .serialized)
struct PersistenceTests {
    @Test("products_feature.h5 holds unit rows, ids, paths, md5 and the model's identity")
    func featureFileReadsBack() throws {
        let scratch = try Fixtures.Scratch("h5")
        defer { scratch.cleanUp() }
        for index in 0..<3 { try scratch.add(photo: index, as: "dir/p\(index).jpg") }
        let catalog = try scratch.open()
        _ = try catalog.preprocess()
        let file = try HDF5File.openReadOnly(scratch.paths.featuresFile)
        defer { try? file.close() }
        let root = file.root
        let features = try root.readFloats("features")
        #expect(features.shape == [3, 1024])
        for row in 0..<3 {
            let norm = features.values[row * 1024..<(row + 1) * 1024].reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-4)
        }
        #expect(try root.readStrings("image_ids") == ["dir/p0", "dir/p1", "dir/p2"])
        #expect(try root.readStrings("paths") == ["dir/p0.jpg", "dir/p1.jpg", "dir/p2.jpg"])
        #expect(try root.readStrings("md5") == (0..<3).map { MD5.hex(of: try! Fixtures.bytes(ofPhoto: $0)) })
        #expect(try root.intAttribute("format_version") == 1)
        #expect(try root.intAttribute("feature_dimension") == 1024)
        #expect(try root.doubleAttribute("model_alpha") == 1.0)
        #expect(try root.intAttribute("model_input_size") == 224)
        #expect(try root.stringAttribute("weights_md5") == MD5.hex(ofFile: Fixtures.modelPath))
        #expect(features.values == (0..<3).flatMap { catalog.store.vector(at: $0) })
    }

    @Test("python h5py reads the feature file (skipped without python3 and h5py)")
    func h5pyReadsIt() throws {
        guard pythonHas("h5py") else { return }
        let scratch = try Fixtures.Scratch("h5py")
        defer { scratch.cleanUp() }
        for index in 0..<2 { try scratch.add(photo: index, as: "p\(index).jpg") }
        _ = try scratch.open().preprocess()
        let script = """
        import h5py, numpy, sys
        with h5py.File(sys.argv[1], 'r') as f:
            x = f['features'][()]
            ids = [s.decode() if isinstance(s, bytes) else s for s in f['image_ids'][()]]
            print(x.shape[0], x.shape[1], ','.join(ids), int(f.attrs['feature_dimension']), round(float(numpy.linalg.norm(x[1])), 4))
        """
        let output = try run(["python3", "-c", script, scratch.paths.featuresFile])
        #expect(output == "2 1024 p0,p1 1024 1.0")
    }

    @Test("a crash between the writes leaves a loadable index and the next run repairs the rest")
    func crashBetweenWrites() throws {
        let scratch = try Fixtures.Scratch("crash")
        defer { scratch.cleanUp() }
        for index in 0..<4 { try scratch.add(photo: index, as: "p\(index).jpg") }
        let catalog = try scratch.open()
        _ = try catalog.preprocess()
        let files = [scratch.paths.featuresFile, scratch.paths.fieldsFile, scratch.paths.processedFile]
        let before = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let oldIDs = catalog.store.ids
        try scratch.add(photo: 9, as: "p0.jpg")  // modified
        try scratch.remove("p3.jpg")              // removed
        try scratch.add(photo: 10, as: "p10.jpg") // new
        _ = try catalog.preprocess()
        let after = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let expectedIDs = catalog.store.ids

        // Every mix of old and new files a crash can leave (each file is replaced atomically), plus a
        // half-written temporary file beside them.
        for mask in 0..<8 {
            for (index, path) in files.enumerated() {
                try (mask & (1 << index) != 0 ? after[index] : before[index]).write(to: URL(fileURLWithPath: path))
            }
            try Data("torn".utf8).write(to: URL(fileURLWithPath: scratch.paths.generatedDirectory + "/.products_feature.h5.tmp-1-2"))
            let reopened = try scratch.open()
            let hasNewFeatures = mask & 1 != 0
            #expect(reopened.store.ids == (hasNewFeatures ? ["p0", "p1", "p10", "p2"] : oldIDs), "mask \(mask)")
            #expect(!reopened.store.search(reopened.store.vector(at: 0), topK: 1, threshold: 0).isEmpty)
            let repaired = try reopened.preprocess()
            #expect(reopened.store.ids == expectedIDs, "mask \(mask)")
            // With the new feature file nothing needs a forward pass; with the old one, the two changed files do.
            #expect(repaired.newImages == (hasNewFeatures ? 0 : 2), "mask \(mask)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.paths.generatedDirectory).filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test("an index built by another model is not mixed in: the next run rebuilds in full")
    func modelChangeRebuilds() throws {
        let scratch = try Fixtures.Scratch("model-change")
        defer { scratch.cleanUp() }
        for index in 0..<3 { try scratch.add(photo: index, as: "p\(index).jpg") }
        _ = try scratch.open().preprocess()
        let small = try MobileNetModel(contentsOf: Fixtures.smallModelPath)
        let other = try scratch.open(model: small, modelPath: Fixtures.smallModelPath)
        #expect(other.store.count == 0)
        let rebuilt = try other.preprocess()
        #expect((rebuilt.newImages, rebuilt.unchangedImages) == (3, 0))
        #expect(other.store.dimension == 256 && other.store.count == 3)
        // And back: the alpha-1.0 model rejects the alpha-0.25 index in turn.
        let back = try scratch.open()
        #expect(back.store.count == 0)
        #expect(try back.preprocess().newImages == 3)
    }
}

@Suite("Concurrency", .serialized)
struct ConcurrencyTests {
    @Test("searches during an index run see the old or the new catalog, never a failure or a mix")
    func searchesDuringRun() throws {
        let scratch = try Fixtures.Scratch("concurrent")
        defer { scratch.cleanUp() }
        for index in 0..<4 { try scratch.add(photo: index, as: "p\(index).jpg") }
        let catalog = try scratch.open()
        _ = try catalog.preprocess()
        let query = catalog.store.vector(at: 0)
        for index in 4..<20 { try scratch.add(photo: index, as: "p\(index).jpg") }
        // The run gets its own thread (as the server gives it), the searches go on here meanwhile.
        let outcome = RunOutcome()
        let thread = Thread { outcome.finish(Result { try catalog.preprocess(batchSize: 4) }) }
        thread.start()
        var searches = 0, duringRun = 0
        while outcome.result == nil || searches < 2 {
            let running = catalog.isIndexing
            let store = catalog.store
            #expect(store.count == 4 || store.count == 20)
            let matches = store.search(query, topK: 3, threshold: 0)
            #expect(matches.count == 3 && matches.first?.id == "p0")
            searches += 1
            if running { duringRun += 1 }
            usleep(2_000)
        }
        let summary = try #require(try outcome.result?.get())
        #expect(summary.newImages == 16)
        #expect(catalog.store.count == 20)
        #expect(duringRun > 5)
    }

    @Test("a second run while one is going is refused at once")
    func secondRunRefused() throws {
        let scratch = try Fixtures.Scratch("refuse")
        defer { scratch.cleanUp() }
        for index in 0..<3 { try scratch.add(photo: index, as: "p\(index).jpg") }
        let catalog = try scratch.open()
        let refused = RefusalProbe()
        _ = try catalog.preprocess(batchSize: 1) { _ in
            do { _ = try catalog.preprocess() } catch { refused.record(error) }
        }
        #expect(refused.errors.allSatisfy { ($0 as? CatalogError) == .alreadyRunning })
        #expect(refused.errors.count == 3)
        #expect(!catalog.isIndexing)

        // Another process holding the lock file (flock is per open file, so a second open stands in).
        let fd = open(scratch.paths.lockFile, O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        #expect(throws: CatalogError.alreadyRunning) { try catalog.preprocess() }
        flock(fd, LOCK_UN)
        #expect(try catalog.preprocess().unchangedImages == 3)
    }
}

/// The result of a run on another thread.
final class RunOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Result<IndexSummary, Error>?
    func finish(_ result: Result<IndexSummary, Error>) { lock.lock(); stored = result; lock.unlock() }
    var result: Result<IndexSummary, Error>? { lock.lock(); defer { lock.unlock() }; return stored }
}

/// Collects errors from a callback on another thread.
final class RefusalProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Error] = []
    func record(_ error: Error) { lock.lock(); stored.append(error); lock.unlock() }
    var errors: [Error] { lock.lock(); defer { lock.unlock() }; return stored }
}

func pythonHas(_ module: String) -> Bool {
    (try? run(["python3", "-c", "import \(module)"])) != nil
}

/// Runs a command and returns its trimmed standard output; throws when it fails.
@discardableResult
func run(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
