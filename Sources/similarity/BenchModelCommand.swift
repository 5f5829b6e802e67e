import ArgumentParser
import Dispatch
import FoundationEssentials
import Glibc
import MobileNet

/// `similarity bench model`: single-image latency and batch throughput of the forward pass.
struct BenchModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "Forward-pass latency and throughput.")

    @Option(help: "Weight file (default: SIMILARITY_MODEL, then Models/\(ModelLocator.defaultFileName)).")
    var model: String?
    @Option(help: "Images per batch for the throughput figure.")
    var batch: Int = 32
    @Option(help: "Timed single-image runs (batch runs: a tenth of this, at least 3).")
    var runs: Int = 50
    @Option(help: "Threads for the forward pass (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Pointwise engine: native (our own Swift kernel, the default) or blas (OpenBLAS sgemm).")
    var engine: String = PointwiseEngine.native.rawValue
    @Option(help: "Pointwise weight panels: panels16 (AVX2) or panels32 (AVX-512); default: the one for this CPU.")
    var tiling: String = PointwiseTiling.forThisCPU.rawValue
    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard PointwiseEngine(rawValue: engine) != nil else {
            throw ValidationError("--engine must be one of: \(PointwiseEngine.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard PointwiseTiling(rawValue: tiling) != nil else {
            throw ValidationError("--tiling must be one of: \(PointwiseTiling.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard batch >= 1, runs >= 1, threads >= 1 else {
            throw ValidationError("--batch, --runs and --threads must be at least 1")
        }
    }

    func run() throws {
        let path = try ModelLocator.resolve(explicitPath: model)
        // The blas engine needs OpenBLAS; the native one reports it only for comparison.
        if engine == PointwiseEngine.blas.rawValue { try BLASRuntime.load() } else { try? BLASRuntime.load() }
        let network = try MobileNetModel(contentsOf: path, tiling: PointwiseTiling(rawValue: tiling) ?? .forThisCPU)
        let extractor = FeatureExtractor(model: network, maxBatch: batch, threads: threads,
                                         engine: PointwiseEngine(rawValue: engine) ?? .native)
        let imageCount = network.inputSize * network.inputSize * 3
        var generator = SplitMix(seed: 42)
        let images = (0..<(batch * imageCount)).map { _ in generator.nextUnit() * 2 - 1 }

        let (single, singleCPU) = images.withUnsafeBufferPointer { buffer in
            _ = extractor.embed(buffer.baseAddress!, count: 1)  // warm-up
            let cpuStart = cpuMilliseconds()
            let times = (0..<runs).map { _ in milliseconds { _ = extractor.embed(buffer.baseAddress!, count: 1) } }.sorted()
            return (times, (cpuMilliseconds() - cpuStart) / Double(runs))
        }
        let batchRuns = max(3, runs / 10)
        let (batchMilliseconds, batchCPU) = images.withUnsafeBufferPointer { buffer in
            _ = extractor.embed(buffer.baseAddress!, count: batch)
            let cpuStart = cpuMilliseconds()
            let wall = milliseconds { for _ in 0..<batchRuns { _ = extractor.embed(buffer.baseAddress!, count: batch) } }
            return (wall, (cpuMilliseconds() - cpuStart) / Double(batchRuns * batch))
        }
        let report = Report(
            single_ms_median: single[single.count / 2],
            single_ms_p95: single[min(single.count - 1, Int((Double(single.count - 1) * 0.95).rounded()))],
            batch: batch,
            batch_images_per_s: Double(batch * batchRuns) / (batchMilliseconds / 1000),
            single_cpu_ms: singleCPU, batch_cpu_ms_per_image: batchCPU,
            engine: extractor.engine.rawValue, tiling: network.tiling.rawValue, blas_core: BLASRuntime.coreName, blas_threads: BLASRuntime.threads,
            threads: threads, alpha: network.alpha)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            let blas = "OpenBLAS \(report.blas_core), \(report.blas_threads) thread(s) per call"
            print("model \(path) (alpha \(network.alpha)), \(threads) threads, \(report.engine) pointwise on \(report.tiling) "
                  + (extractor.engine == .blas ? "(\(blas))" : "(\(blas), not used)"))
            print(formatted("single image: median %.2f ms, p95 %.2f ms, CPU %.2f ms (%d runs)",
                         report.single_ms_median, report.single_ms_p95, singleCPU, runs))
            print(formatted("batch %d: %.1f images/s, CPU %.2f ms per image (%d runs)",
                         batch, report.batch_images_per_s, batchCPU, batchRuns))
        }
    }

    /// The JSON keys scripts compare (the same as scripts/bench_onnx.py).
    private struct Report: Encodable {
        let single_ms_median: Double
        let single_ms_p95: Double
        let batch: Int
        let batch_images_per_s: Double
        /// Process CPU time (all threads) per single-image call and per image of a batch: steadier
        /// than wall time on a busy machine.
        let single_cpu_ms: Double
        let batch_cpu_ms_per_image: Double
        let engine: String
        let tiling: String
        let blas_core: String
        let blas_threads: Int
        let threads: Int
        let alpha: Float
    }

    private func cpuMilliseconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        let total = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000 + Int(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        return Double(total) / 1000
    }

    private func milliseconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }
}

/// A tiny deterministic generator for benchmark inputs.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func nextUnit() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Float((z ^ (z >> 31)) >> 40) / Float(1 << 24)
    }
}
