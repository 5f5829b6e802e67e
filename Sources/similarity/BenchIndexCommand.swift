import ArgumentParser
import Catalog
import CTurboJPEG
import Dispatch
import FoundationEssentials
import Imaging
import Logging
import MobileNet

struct BenchIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Indexing throughput on a generated catalog.",
        discussion: """
        Writes N distinct 640x480 JPEGs (shapes and gradients, quality 90, encoded with libjpeg-turbo) \
        into WORK/images, then times full index runs from scratch, no-change runs on the warm catalog \
        (as the server runs them) and cold ones (a new process's view: load the index, then run), and \
        the same no-change runs over a catalog of --no-change-files files (small JPEGs repeated: a \
        no-change run never reads file contents).
        """)

    @Option(help: "Number of distinct 640x480 images.")
    var images = 1000

    @Option(help: "Working folder (generated images and index files).")
    var work = "bench/work/index"

    @Option(help: "Images per forward pass.")
    var batchSize = 32

    @Option(help: "Full index runs (the median is reported).")
    var runs = 3

    @Option(help: "Files in the large no-change catalog (0 skips it).")
    var noChangeFiles = 100_000

    @Option(help: "MobileNet weight file (default: SIMILARITY_MODEL, then Models/).")
    var model: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let modelPath = try ModelLocator.resolve(explicitPath: model)
        let network = try MobileNetModel(contentsOf: modelPath)
        let root = URL(fileURLWithPath: work)
        let imagesFolder = root.appendingPathComponent("images").path
        try SyntheticPhotos.ensure(count: images, width: 640, height: 480, in: imagesFolder)

        var results: [String: Double] = ["images": Double(images)]
        let paths = CatalogPaths(imagesDirectory: imagesFolder, generatedDirectory: root.appendingPathComponent("generated").path)
        var rates: [Double] = []
        for _ in 0..<max(1, runs) {
            try? FileManager.default.removeItem(atPath: paths.generatedDirectory)
            let catalog = try open(paths, network, modelPath)
            let summary = try catalog.preprocess(batchSize: batchSize)
            rates.append(Double(summary.newImages) / summary.seconds)
            log(formatted("full index of %d images: %.2f s, %.1f images/s", summary.newImages, summary.seconds, rates.last!))
        }
        results["full_images_per_s_median"] = Stats.median(rates)
        results["model_only_images_per_s"] = try modelOnlyRate(network, imagesFolder: imagesFolder)
        let noChange = try noChangeTimes(paths, network, modelPath)
        results["no_change_warm_ms_median"] = noChange.warm
        results["no_change_cold_ms_median"] = noChange.cold

        if noChangeFiles > 0 {
            let largeFolder = root.appendingPathComponent("large-\(noChangeFiles)/images").path
            try SyntheticPhotos.ensureRepeated(count: noChangeFiles, distinct: 64, in: largeFolder)
            let largePaths = CatalogPaths(imagesDirectory: largeFolder,
                                          generatedDirectory: root.appendingPathComponent("large-\(noChangeFiles)/generated").path)
            let first = try open(largePaths, network, modelPath).preprocess(batchSize: batchSize)
            log(formatted("large catalog: %d files indexed in %.2f s (%d new)", first.totalImages, first.seconds, first.newImages))
            let large = try noChangeTimes(largePaths, network, modelPath)
            results["large_files"] = Double(noChangeFiles)
            results["large_no_change_warm_ms_median"] = large.warm
            results["large_no_change_cold_ms_median"] = large.cold
        }
        report(results)
    }

    /// The forward pass alone, arranged as the indexer arranges it (one single-threaded extractor per
    /// core, batches of `batchSize`), on inputs decoded beforehand: the ceiling for indexing.
    private func modelOnlyRate(_ network: MobileNetModel, imagesFolder: String) throws -> Double {
        let workers = ProcessInfo.processInfo.activeProcessorCount
        let size = network.inputSize, imageFloats = size * size * 3
        let input = UnsafeMutableBufferPointer<Float>.allocate(capacity: batchSize * imageFloats)
        defer { input.deallocate() }
        let files = try FileManager.default.contentsOfDirectory(atPath: imagesFolder).sorted().prefix(batchSize)
        for (slot, name) in files.enumerated() {
            _ = try ModelInput.prepare(fileAt: imagesFolder + "/" + name, size: size, into: input.baseAddress! + slot * imageFloats)
        }
        let shared = SendableBuffer(input)
        let batches = 4
        let started = Date()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let extractor = FeatureExtractor(model: network, maxBatch: batchSize, threads: 1)
            for _ in 0..<batches { _ = extractor.embed(shared.buffer.baseAddress!, count: files.count) }
        }
        let rate = Double(workers * batches * files.count) / Date().timeIntervalSince(started)
        log(formatted("model alone (%d single-threaded extractors, batch %d): %.1f images/s", workers, files.count, rate))
        return rate
    }

    /// Medians of no-change runs: warm (the same catalog object) and cold (a new one per run).
    private func noChangeTimes(_ paths: CatalogPaths, _ network: MobileNetModel, _ modelPath: String) throws -> (warm: Double, cold: Double) {
        let catalog = try open(paths, network, modelPath)
        var warm: [Double] = [], cold: [Double] = []
        for _ in 0..<5 {
            let summary = try catalog.preprocess(batchSize: batchSize)
            guard summary.newImages == 0 else { throw ValidationError("the no-change run embedded \(summary.newImages) images") }
            warm.append(summary.seconds * 1000)
        }
        for _ in 0..<3 {
            let started = Date()
            _ = try open(paths, network, modelPath).preprocess(batchSize: batchSize)
            cold.append(Date().timeIntervalSince(started) * 1000)
        }
        log("no-change run over \(paths.imagesDirectory): " + formatted("warm %.1f ms, cold (load + run) %.1f ms",
                   Stats.median(warm), Stats.median(cold)))
        return (Stats.median(warm), Stats.median(cold))
    }

    private func open(_ paths: CatalogPaths, _ network: MobileNetModel, _ modelPath: String) throws -> ProductCatalog {
        var logger = Logger(label: "bench.index")
        logger.logLevel = .warning
        return try ProductCatalog(paths: paths, model: network, modelPath: modelPath, logger: logger)
    }

    private func log(_ line: String) {
        if !json { print(line) }
    }

    private func report(_ results: [String: Double]) {
        if json {
            print(sortedJSON(results))
        } else {
            print(formatted("full indexing: %.1f images/s (median of %d runs, batch %d, %d images); model alone %.1f images/s (%.0f%%)",
                         results["full_images_per_s_median"]!, max(1, runs), batchSize, images,
                         results["model_only_images_per_s"]!, 100 * results["full_images_per_s_median"]! / results["model_only_images_per_s"]!))
            print(formatted("no-change run, %d files: warm %.1f ms, cold %.1f ms", images,
                         results["no_change_warm_ms_median"]!, results["no_change_cold_ms_median"]!))
            if let warm = results["large_no_change_warm_ms_median"], let cold = results["large_no_change_cold_ms_median"] {
                print(formatted("no-change run, %d files: warm %.1f ms, cold %.1f ms", noChangeFiles, warm, cold))
            }
        }
    }
}

/// Generates benchmark photos: gradients with overlapping shapes and a little noise, so each image
/// is distinct and compresses like a photo rather than a flat colour. JPEG via libjpeg-turbo.
enum SyntheticPhotos {
    /// Makes sure `folder` holds exactly images `gen_00000.jpg`... of the given size.
    static func ensure(count: Int, width: Int, height: Int, in folder: String) throws {
        let names = (0..<count).map { formatted("gen_%05d.jpg", $0) }
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: folder), Set(existing) == Set(names) { return }
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (index, name) in names.enumerated() {
            try Data(try jpeg(seed: UInt64(index), width: width, height: height)).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
    }

    /// `count` files cycling through `distinct` small JPEGs, spread over folders of 1,000.
    static func ensureRepeated(count: Int, distinct: Int, in folder: String) throws {
        let marker = folder + "/.complete"
        if FileManager.default.fileExists(atPath: marker) { return }
        try? FileManager.default.removeItem(atPath: folder)
        let sources = try (0..<distinct).map { Data(try jpeg(seed: UInt64(1_000_000 + $0), width: 160, height: 120)) }
        for index in 0..<count {
            let subfolder = folder + formatted("/part%03d", index / 1000)
            if index % 1000 == 0 { try FileManager.default.createDirectory(atPath: subfolder, withIntermediateDirectories: true) }
            try sources[index % distinct].write(to: URL(fileURLWithPath: subfolder + formatted("/item_%06d.jpg", index)))
        }
        _ = FileManager.default.createFile(atPath: marker, contents: Data())
    }

    static func jpeg(seed: UInt64, width: Int, height: Int) throws -> [UInt8] {
        let pixels = picture(seed: seed, width: width, height: height)
        guard let handle = tjInitCompress() else { throw ValidationError("libjpeg-turbo could not start a compressor") }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue), &buffer, &size,
                        Int32(TJSAMP_420.rawValue), 90, 0)
        }
        defer { tjFree(buffer) }
        guard status == 0, let buffer else { throw ValidationError("JPEG encoding failed") }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }

    private static func picture(seed: UInt64, width: Int, height: Int) -> [UInt8] {
        var random = FastRandom(seed: seed &+ 12_345)
        func colour() -> SIMD3<Float> { SIMD3(random.uniform(), random.uniform(), random.uniform()) * 255 }
        let top = colour(), bottom = colour()
        var image = [SIMD3<Float>](repeating: .zero, count: width * height)
        for y in 0..<height {
            let t = Float(y) / Float(height)
            for x in 0..<width { image[y * width + x] = top * (1 - t) + bottom * t }
        }
        for _ in 0..<(6 + Int(random.next() % 6)) {
            let c = colour()
            let cx = random.uniform() * Float(width), cy = random.uniform() * Float(height)
            let rx = 20 + random.uniform() * Float(width) / 4, ry = 20 + random.uniform() * Float(height) / 4
            let round = random.next() % 2 == 0
            for y in max(0, Int(cy - ry))..<min(height, Int(cy + ry)) {
                for x in max(0, Int(cx - rx))..<min(width, Int(cx + rx)) {
                    let dx = (Float(x) - cx) / rx, dy = (Float(y) - cy) / ry
                    if !round || dx * dx + dy * dy <= 1 { image[y * width + x] = c }
                }
            }
        }
        return image.flatMap { pixel in
            (0..<3).map { UInt8(max(0, min(255, pixel[$0] + 12 * (random.uniform() - 0.5)))) }
        }
    }
}
