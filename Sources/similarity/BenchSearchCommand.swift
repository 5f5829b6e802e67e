import ArgumentParser
import Catalog
import Dispatch
import FoundationEssentials
import HDF5
import MobileNet
import CBLAS

struct BenchSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Top-k search time over N products.",
        discussion: """
        Builds a store of N synthetic catalog-like unit vectors (non-negative, in product families, like \
        MobileNet features), times FeatureStore.search against a plain float32 scan of the same store, \
        checks every answer is identical, and times numpy (M @ q, argpartition, sort) over the same \
        matrix size in the same run.
        """)

    @Option(help: "Number of products.")
    var products = 100_000

    @Option(help: "Vector length.")
    var dimension = 1024

    @Option(help: "Queries per kind.")
    var queries = 50

    @Option(name: .customLong("top-k"), help: "Results per query.")
    var topK = 10

    @Option(help: "Threshold for the timed searches.")
    var threshold: Float = 0

    @Option(help: "A products_feature.h5 whose vectors set the distribution (mean and covariance) of the generated ones.")
    var profile: String?

    @Option(help: "With --profile: per-dimension noise added to each generated vector (before normalising), for catalogs whose features spread over more directions than the profile's sample shows.")
    var tailNoise: Float = 0

    @Flag(help: "Skip the numpy baseline.")
    var noNumpy = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try BLASRuntime.load()
        blas_set_threads(1)  // as in the service, where the model keeps OpenBLAS single-threaded
        let numpyMs = noNumpy ? nil : NumpyBaseline.milliseconds(products: products, dimension: dimension, topK: topK)
        let generator: any VectorSource = try profile.map { try ProfiledCatalog(profilePath: $0, noise: tailNoise) }
            ?? SyntheticCatalog(dimension: dimension)
        var started = Date()
        let vectors = generator.vectors(count: products)
        let generateSeconds = Date().timeIntervalSince(started)
        started = Date()
        let ids = (0..<products).map { "p\($0)" }
        let inMemory = try FeatureStore(ids: ids, paths: ids, vectors: vectors, dimension: generator.dimension)
        inMemory.prepareForSearch()
        let buildSeconds = Date().timeIntervalSince(started)
        // Searched as the service holds it: float32 rows read from the feature file, half-precision
        // copies or the compact index in memory (the float32 scan it is checked against stays in memory).
        let featureFile = FileManager.default.temporaryDirectory.appendingPathComponent("similarity-bench-search-\(ProcessInfo.processInfo.processIdentifier).h5").path
        defer { try? FileManager.default.removeItem(atPath: featureFile) }
        let store = try Self.backedByFile(inMemory, vectors, featureFile)

        let dimension = generator.dimension
        var rows: [String: Any] = ["products": products, "dimension": dimension, "top_k": topK, "profile": profile ?? "synthetic", "tail_noise": Double(tailNoise),
                                   "compact_index": store.hasCompactIndex, "rows_from_file": store.readsRowsFromFile,
                                   "build_s": buildSeconds,
                                   "generate_s": generateSeconds, "memory_mb": Double(store.memoryBytes) / 1e6]
        var mismatches = 0
        for kind in QueryKind.allCases {
            let batch = (0..<queries).map { generator.query(kind, seed: UInt64($0), catalog: vectors, count: products) }
            var fast: [Double] = [], full: [Double] = []
            for query in batch {
                var t = Date()
                let answer = store.search(query, topK: topK, threshold: threshold)
                fast.append(Date().timeIntervalSince(t) * 1000)
                t = Date()
                let reference = inMemory.exhaustiveSearch(query, topK: topK, threshold: threshold)
                full.append(Date().timeIntervalSince(t) * 1000)
                if !Self.same(answer, reference) { mismatches += 1 }
            }
            rows["\(kind.rawValue)_ms_median"] = Stats.median(fast)
            rows["\(kind.rawValue)_ms_p95"] = Stats.percentile(fast, 0.95)
            rows["\(kind.rawValue)_float32_scan_ms_median"] = Stats.median(full)
        }
        rows["mismatches"] = mismatches
        if let numpyMs { rows["numpy_ms_median"] = numpyMs }
        report(rows, numpyMs: numpyMs)
        if mismatches > 0 { throw ExitCode(1) }
    }

    /// `store` reading its rows from a feature file written at `path`.
    static func backedByFile(_ store: FeatureStore, _ vectors: [Float], _ path: String) throws -> FeatureStore {
        let file = try HDF5File.create(path)
        try file.root.writeFloats("features", shape: [store.count, store.dimension], values: vectors)
        try file.close()
        return store.backedByFeatureFile(path)
    }

    /// Same products in the same order; scores may differ in the last bits (different summation order).
    static func same(_ a: [Match], _ b: [Match]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $0.id == $1.id || abs($0.score - $1.score) < 1e-5 }
    }

    private func report(_ rows: [String: Any], numpyMs: Double?) {
        if json {
            print(sortedJSON(rows))
            return
        }
        print("products \(products) x \(dimension), top-\(topK); compact index: \(rows["compact_index"]!); "
              + "float32 rows read from the feature file: \(rows["rows_from_file"]!); "
              + formatted("build %.2f s, memory %.0f MB", rows["build_s"] as! Double, rows["memory_mb"] as! Double))
        for kind in QueryKind.allCases {
            let median = rows["\(kind.rawValue)_ms_median"] as! Double
            var line = kind.rawValue.padding(to: 14) + formatted(" search median %.2f ms (p95 %.2f), float32 scan %.2f ms",
                              median, rows["\(kind.rawValue)_ms_p95"] as! Double,
                              rows["\(kind.rawValue)_float32_scan_ms_median"] as! Double)
            if let numpyMs { line += formatted(", numpy %.2f ms (%.1fx faster)", numpyMs, numpyMs / median) }
            print(line)
        }
        print("answers differing from the float32 scan: \(rows["mismatches"]!)")
    }
}

/// Median and percentiles of timings.
enum Stats {
    static func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}

/// Times numpy on a random matrix of the same shape in a python3 subprocess; nil when unavailable.
enum NumpyBaseline {
    static let script = """
    import sys, time
    import numpy as np
    n, d, k = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(1)
    m = rng.random((n, d), dtype=np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    times = []
    for i in range(25):
        q = rng.random(d, dtype=np.float32); q /= np.linalg.norm(q)
        t = time.perf_counter()
        s = m @ q
        top = np.argpartition(-s, k)[:k]
        top = top[np.argsort(-s[top])]
        times.append((time.perf_counter() - t) * 1000)
    print(sorted(times)[len(times) // 2])
    """

    static func milliseconds(products: Int, dimension: Int, topK: Int) -> Double? {
        let arguments = ["-c", script, "\(products)", "\(dimension)", "\(min(topK, products - 1))"]
        guard let process = try? ChildProcess("python3", arguments, output: .pipe) else { return nil }
        let output = process.readOutput()
        guard process.waitUntilExit() else { return nil }
        return Double(output.filter { !$0.isWhitespace })
    }
}

/// What kind of query a benchmark sends.
enum QueryKind: String, CaseIterable {
    /// A stored product, slightly perturbed (a shopper's photo of a listed item).
    case nearDuplicate = "near_duplicate"
    /// A new product of an existing family (similar items exist, no copy).
    case sameFamily = "same_family"
    /// A product from a family the catalog does not hold.
    case unrelated
}

/// Generates benchmark catalogs and queries.
protocol VectorSource {
    var dimension: Int { get }
    func vectors(count: Int) -> [Float]
    func query(_ kind: QueryKind, seed: UInt64, catalog: [Float], count: Int) -> [Float]
}

/// Catalog-like unit vectors: non-negative (like pooled ReLU6 activations), most energy in a few
/// dozen shared directions with decaying strength, products in families of near-identical items, and
/// per-product noise. Deterministic for a given size.
struct SyntheticCatalog: VectorSource {
    let dimension: Int
    let latent = 64
    let familySize = 8
    let noise: Float = 0.35
    let baseline: [Float]
    let directions: [Float]  // latent x dimension, column scales decaying

    init(dimension: Int) {
        self.dimension = dimension
        var random = FastRandom(seed: 42)
        baseline = (0..<dimension).map { _ in 0.3 + 0.4 * random.uniform() }
        var directions = [Float](repeating: 0, count: latent * dimension)
        for k in 0..<latent {
            let scale = 1.2 / Float(k + 1).squareRoot()
            for j in 0..<dimension { directions[k * dimension + j] = scale * random.normal() }
        }
        self.directions = directions
    }

    func vectors(count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count * dimension)
        let families = (count + familySize - 1) / familySize
        let chunk = 256
        out.withUnsafeMutableBufferPointer { buffer in
            let base = SendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: (families + chunk - 1) / chunk) { part in
                for family in part * chunk..<min(families, (part + 1) * chunk) {
                    let centre = self.centre(family: family)
                    for member in 0..<familySize where family * familySize + member < count {
                        let row = family * familySize + member
                        self.member(of: centre, seed: UInt64(row) &* 7919 &+ 1, into: base.buffer.baseAddress! + row * dimension)
                    }
                }
            }
        }
        return out
    }

    func query(_ kind: QueryKind, seed: UInt64, catalog: [Float], count: Int) -> [Float] {
        var random = FastRandom(seed: seed &+ 99_991)
        var out = [Float](repeating: 0, count: dimension)
        switch kind {
        case .nearDuplicate:
            let row = Int(random.next() % UInt64(count))
            for j in 0..<dimension { out[j] = max(0, catalog[row * dimension + j] + 0.012 * random.normal()) }
        case .sameFamily, .unrelated:
            let families = max(1, count / familySize)
            let family = kind == .unrelated ? families + Int(random.next() % 1_000_000) : Int(random.next() % UInt64(families))
            let centre = centre(family: family)
            out.withUnsafeMutableBufferPointer { member(of: centre, seed: seed &+ 1_000_003, into: $0.baseAddress!) }
        }
        normalise(&out)
        return out
    }

    private func centre(family: Int) -> [Float] {
        var random = FastRandom(seed: UInt64(family) &* 104_729 &+ 17)
        var centre = baseline
        for k in 0..<latent {
            let weight = random.normal()
            for j in 0..<dimension { centre[j] += weight * directions[k * dimension + j] * 0.25 }
        }
        return centre
    }

    private func member(of centre: [Float], seed: UInt64, into out: UnsafeMutablePointer<Float>) {
        var random = FastRandom(seed: seed)
        var sum: Float = 0
        for j in 0..<dimension {
            let value = max(0, centre[j] + noise * random.normal())
            out[j] = value
            sum += value * value
        }
        let scale = sum > 0 ? 1 / sum.squareRoot() : 0
        for j in 0..<dimension { out[j] *= scale }
    }

    private func normalise(_ vector: inout [Float]) {
        let length = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if length > 0 { for j in vector.indices { vector[j] /= length } }
    }
}

/// A buffer shared by generator threads that write disjoint rows.
struct SendableBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Float>
    init(_ buffer: UnsafeMutableBufferPointer<Float>) { self.buffer = buffer }
}

/// xorshift64* with cheap approximate normals (sum of four uniforms), for benchmark data only.
struct FastRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }

    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }

    mutating func normal() -> Float {
        (uniform() + uniform() + uniform() + uniform() - 2) * 1.7320508
    }
}

/// Vectors with the mean and covariance of a real feature file: random combinations of its centred
/// rows (which reproduce its covariance), plus a little isotropic noise for the directions a small
/// sample cannot show, clipped at zero like ReLU features, in families of four variants.
struct ProfiledCatalog: VectorSource {
    let dimension: Int
    let mean: [Float]
    let centred: [Float]  // n x dimension, scaled by 1/sqrt(n)
    let samples: Int
    let familySize = 4
    let variantScale: Float = 0.35
    let noise: Float

    init(profilePath: String, noise: Float) throws {
        self.noise = noise
        let file = try HDF5File.openReadOnly(profilePath)
        let features = try file.root.readFloats("features")
        guard features.shape.count == 2, features.shape[0] > 1 else { throw ValidationError("\(profilePath) has too few vectors") }
        samples = features.shape[0]
        dimension = features.shape[1]
        var mean = [Float](repeating: 0, count: dimension)
        for row in 0..<samples { for j in 0..<dimension { mean[j] += features.values[row * dimension + j] / Float(samples) } }
        let scale = 1 / Float(samples).squareRoot()
        let dimension = self.dimension
        centred = (0..<(samples * dimension)).map { [mean] in (features.values[$0] - mean[$0 % dimension]) * scale }
        self.mean = mean
    }

    /// rows x dimension = mean + weights (rows x samples) * centred, computed with one sgemm.
    private func combine(_ weights: [Float], rows: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * dimension)
        for row in 0..<rows { for j in 0..<dimension { out[row * dimension + j] = mean[j] } }
        blas_sgemm(BLAS_ROW_MAJOR, BLAS_NO_TRANS, BLAS_NO_TRANS, Int32(rows), Int32(dimension), Int32(samples), 1,
                   weights, Int32(samples), centred, Int32(dimension), 1, &out, Int32(dimension))
        return out
    }

    func vectors(count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count * dimension)
        let chunk = 4096
        var start = 0
        while start < count {
            let rows = min(chunk, count - start)
            var random = FastRandom(seed: UInt64(start) &+ 5)
            // Each family's base weights, plus a variant's own offset.
            var weights = [Float](repeating: 0, count: rows * samples)
            var base = [Float](repeating: 0, count: samples)
            for row in 0..<rows {
                if (start + row) % familySize == 0 || row == 0 { base = (0..<samples).map { _ in random.normal() } }
                for i in 0..<samples { weights[row * samples + i] = base[i] + variantScale * random.normal() }
            }
            let block = combine(weights, rows: rows)
            for row in 0..<rows {
                finish(block, row: row, random: &random, into: &out, at: start + row)
            }
            start += rows
        }
        return out
    }

    private func finish(_ block: [Float], row: Int, random: inout FastRandom, into out: inout [Float], at target: Int) {
        var sum: Float = 0
        for j in 0..<dimension {
            let value = max(0, block[row * dimension + j] + noise * random.normal())
            out[target * dimension + j] = value
            sum += value * value
        }
        let scale = sum > 0 ? 1 / sum.squareRoot() : 0
        for j in 0..<dimension { out[target * dimension + j] *= scale }
    }

    func query(_ kind: QueryKind, seed: UInt64, catalog: [Float], count: Int) -> [Float] {
        var random = FastRandom(seed: seed &+ 424_242)
        var out = [Float](repeating: 0, count: dimension)
        switch kind {
        case .nearDuplicate, .sameFamily:
            let row = Int(random.next() % UInt64(count))
            let spread: Float = kind == .nearDuplicate ? 0.012 : 0.0
            if kind == .sameFamily {
                // A sibling: the row moved along the data's own directions.
                let offset = combine((0..<samples).map { _ in variantScale * random.normal() }, rows: 1)
                for j in 0..<dimension { out[j] = max(0, catalog[row * dimension + j] + offset[j] - mean[j]) }
            } else {
                for j in 0..<dimension { out[j] = max(0, catalog[row * dimension + j] + spread * random.normal()) }
            }
        case .unrelated:
            var block = combine((0..<samples).map { _ in random.normal() }, rows: 1)
            finish(block, row: 0, random: &random, into: &block, at: 0)
            out = block
        }
        let length = out.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return length > 0 ? out.map { $0 / length } : out
    }
}
