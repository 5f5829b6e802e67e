import ArgumentParser
import Catalog
import Dispatch
import FoundationEssentials
import HTTP
import Logging
import MobileNet
import SimilarityAPI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Threads

/// `similarity bench api`: the service end to end, as a client sees it. Builds a synthetic catalog,
/// indexes it, starts `similarity serve` as a child process and measures find-similar over loopback.
struct BenchAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api", abstract: "find-similar latency and throughput end to end.")

    @Option(help: "Products in the synthetic catalog (640x480 JPEGs).")
    var products = 3000
    @Option(help: "Sequential find-similar requests to time.")
    var requests = 400
    @Option(help: "Concurrent clients for the throughput phase.")
    var clients = 8
    @Option(help: "Seconds the throughput phase lasts.")
    var seconds = 10.0
    @Option(help: "Where the catalog, index and server log are kept between runs.")
    var workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("similarity-bench-api").path
    @Option(help: "MobileNet weights (default: ModelLocator's).")
    var model: String?
    @Flag(help: "Print the figures as JSON.")
    var json = false

    func run() throws {
        let modelPath = try ModelLocator.resolve(explicitPath: model)
        let imagesDirectory = workDirectory + "/product_images"
        let generatedDirectory = workDirectory + "/__generated__"
        try SyntheticPhotos.ensure(count: products, width: 640, height: 480, in: imagesDirectory)
        let indexSeconds = try index(imagesDirectory: imagesDirectory, generatedDirectory: generatedDirectory,
                                     modelPath: modelPath)
        // A 640x480 JPEG with the content of product 17 (the same generator and seed).
        let query = try SyntheticPhotos.jpeg(seed: 17, width: 640, height: 480)
        let upload = BenchAPIClient.upload("/api/v1/find-similar?threshold=0.5&top_k=10", file: query,
                                           filename: "query.jpg")

        let port = try Self.freePort()
        let startedAt = ProcessMetrics.now
        let server = try startServer(port: port, modelPath: modelPath, imagesDirectory: imagesDirectory,
                                     generatedDirectory: generatedDirectory)
        defer { server.terminate(); server.waitUntilExit() }
        let healthySeconds = try Self.waitUntilHealthy(port: port, startedAt: startedAt, process: server)

        let client = try BenchAPIClient(port: port)
        let first = try client.exchange(upload)
        guard first.status == 200 else {
            throw ValidationError("find-similar answered \(first.status): \(String(decoding: first.body, as: UTF8.self))")
        }
        for _ in 0..<20 { _ = try client.exchange(upload) }
        var sequential: [Double] = []
        let cpuBeforeSequential = Self.cpuSeconds(of: server.processIdentifier)
        for _ in 0..<requests {
            let start = ProcessMetrics.now
            let answer = try client.exchange(upload)
            sequential.append(ProcessMetrics.now - start)
            guard answer.status == 200 else { throw ValidationError("find-similar answered \(answer.status)") }
        }
        let cpuBeforeConcurrent = Self.cpuSeconds(of: server.processIdentifier)
        let throughput = try Self.concurrentLoad(port: port, clients: clients, seconds: seconds, request: upload)
        let cpuAfterConcurrent = Self.cpuSeconds(of: server.processIdentifier)
        let memory = Self.memory(of: server.processIdentifier)
        let stats = (try? client.exchange(BenchAPIClient.get("/stats")))?.body ?? []
        let meanBatch = (try? JSONDecoder().decode(QueryBatchStats.self, from: Data(stats)))?.meanQueryBatch ?? 0

        let report = Report(
            products: products, indexSeconds: indexSeconds, healthySeconds: healthySeconds,
            sequentialP50Ms: Self.percentile(sequential, 0.50) * 1000,
            sequentialP95Ms: Self.percentile(sequential, 0.95) * 1000,
            sequentialP99Ms: Self.percentile(sequential, 0.99) * 1000,
            sequentialCpuMs: (cpuBeforeConcurrent - cpuBeforeSequential) / Double(requests) * 1000,
            clients: clients, requestsPerSecond: throughput.perSecond,
            concurrentP50Ms: Self.percentile(throughput.latencies, 0.50) * 1000,
            concurrentP99Ms: Self.percentile(throughput.latencies, 0.99) * 1000,
            concurrentCpuMs: (cpuAfterConcurrent - cpuBeforeConcurrent) / Double(max(1, throughput.latencies.count)) * 1000,
            failedRequests: throughput.failures, meanQueryBatch: meanBatch,
            rssMb: memory.rss, peakRssMb: memory.peak,
            topMatch: Self.topMatch(first.body))
        print(json ? report.json : report.table)
    }

    // MARK: Steps

    /// Brings the index up to date in this process; returns the seconds it took.
    private func index(imagesDirectory: String, generatedDirectory: String, modelPath: String) throws -> Double {
        var logger = Logger(label: "similarity.bench.api")
        logger.logLevel = .warning
        let model = try MobileNetModel(contentsOf: modelPath)
        let catalog = try ProductCatalog(paths: CatalogPaths(imagesDirectory: imagesDirectory,
                                                             generatedDirectory: generatedDirectory),
                                         model: model, modelPath: modelPath, logger: logger)
        let summary = try catalog.preprocess(forceFull: false, batchSize: 32, progress: nil)
        if !json { print("index: \(summary.message) (\(formatted("%.1f", summary.seconds)) s)") }
        return summary.seconds
    }

    private func startServer(port: Int, modelPath: String, imagesDirectory: String,
                             generatedDirectory: String) throws -> ChildProcess {
        let arguments = ["serve", "--host", "127.0.0.1", "--port", String(port), "--images", imagesDirectory,
                             "--generated", generatedDirectory, "--uploads", workDirectory + "/uploads",
                             "--model", modelPath]
        let log = workDirectory + "/server.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        return try ChildProcess("/proc/self/exe", arguments, output: .file(log))
    }

    // MARK: Measurements

    /// Seconds from `startedAt` until `/health` answers 200.
    private static func waitUntilHealthy(port: Int, startedAt: Double, process: ChildProcess) throws -> Double {
        while ProcessMetrics.now - startedAt < 30 {
            guard process.isRunning else { throw ValidationError("the server exited; see its log") }
            if let client = try? BenchAPIClient(port: port), let answer = try? client.exchange(BenchAPIClient.get("/health")),
               answer.status == 200 {
                return ProcessMetrics.now - startedAt
            }
            usleep(1000)
        }
        throw ValidationError("the server did not become healthy within 30 s")
    }


    /// `clients` threads, each with its own keep-alive connection, sending `request` for `seconds`.
    private static func concurrentLoad(port: Int, clients: Int, seconds: Double,
                                       request: [UInt8]) throws -> (perSecond: Double, latencies: [Double], failures: Int) {
        let result = Mutex<(latencies: [Double], failures: Int)>(([], 0))
        let group = DispatchGroup()
        let start = ProcessMetrics.now
        let deadline = start + seconds
        for _ in 0..<clients {
            group.enter()
            startThread(name: "bench-client") {
                defer { group.leave() }
                var latencies: [Double] = []
                var failures = 0
                if let client = try? BenchAPIClient(port: port) {
                    while ProcessMetrics.now < deadline {
                        let begin = ProcessMetrics.now
                        let status = (try? client.exchange(request))?.status ?? 0
                        if status == 200 { latencies.append(ProcessMetrics.now - begin) } else { failures += 1 }
                        if status == 0 { break }
                    }
                } else {
                    failures += 1
                }
                result.withLock {
                    $0.latencies += latencies
                    $0.failures += failures
                }
            }
        }
        group.wait()
        let elapsed = ProcessMetrics.now - start
        let (latencies, failures) = result.withLock { ($0.latencies, $0.failures) }
        return (Double(latencies.count) / elapsed, latencies, failures)
    }

    /// User plus system CPU seconds `pid` has used so far (fields 14 and 15 of /proc/PID/stat).
    private static func cpuSeconds(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// VmRSS and VmHWM of `pid`, MiB.
    private static func memory(of pid: Int32) -> (rss: Double, peak: Double) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
                let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
                return kilobytes / 1024
            }
            return 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    private static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }

    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard ok else { throw ValidationError("could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func topMatch(_ body: [UInt8]) -> String {
        struct Answer: Decodable {
            struct Match: Decodable { let filename: String; let similarity_score: Double }
            let matches: [Match]
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)), let best = answer.matches.first else {
            return "none"
        }
        return "\(best.filename) (\(formatted("%.4f", best.similarity_score)))"
    }
}

/// The figures of one `bench api` run.
private struct Report: Encodable {
    let products: Int
    let indexSeconds: Double
    let healthySeconds: Double
    let sequentialP50Ms, sequentialP95Ms, sequentialP99Ms, sequentialCpuMs: Double
    let clients: Int
    let requestsPerSecond: Double
    let concurrentP50Ms, concurrentP99Ms, concurrentCpuMs: Double
    let failedRequests: Int
    let meanQueryBatch: Double
    let rssMb, peakRssMb: Double
    let topMatch: String

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    var table: String {
        func f(_ value: Double, _ digits: Int = 2) -> String { formatted("%.\(digits)f", value) }
        return """
            products indexed            \(products) (index run \(f(indexSeconds, 1)) s)
            start to healthy            \(f(healthySeconds * 1000, 0)) ms   (goal <= 300 ms)
            sequential p50 / p95 / p99  \(f(sequentialP50Ms)) / \(f(sequentialP95Ms)) / \(f(sequentialP99Ms)) ms, server CPU \(f(sequentialCpuMs)) ms/request   (goal p50 <= 6, p99 <= 12)
            \(clients) clients                   \(f(requestsPerSecond, 1)) req/s, p50 \(f(concurrentP50Ms)) ms, p99 \(f(concurrentP99Ms)) ms, server CPU \(f(concurrentCpuMs)) ms/request, \(failedRequests) failed, mean batch \(f(meanQueryBatch))   (goal >= 250 req/s)
            server RSS (peak)           \(f(rssMb, 1)) MB (\(f(peakRssMb, 1)) MB)   (goal <= 60 MB)
            top match for the query     \(topMatch)   (expected gen_00017.jpg)
            """
    }
}

private extension ProcessMetrics {
    static var now: Double { monotonicSeconds() }
}

/// The one figure the benchmark reads from `/stats`.
private struct QueryBatchStats: Decodable {
    let meanQueryBatch: Double
    enum CodingKeys: String, CodingKey { case meanQueryBatch = "mean_query_batch" }
}
