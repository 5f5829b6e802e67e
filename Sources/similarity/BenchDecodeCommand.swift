import ArgumentParser
import FoundationEssentials
import Glibc
import Imaging

/// `similarity bench decode FILE...`: median time of decode + resize + normalise (`ModelInput.prepare`)
/// per file, on one thread, after a few warm-up runs. Wall-clock time is the figure; the thread's CPU
/// time is printed beside it, as it stays meaningful on a machine shared with other work.
struct BenchDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "Decode, resize and normalise time per image.")

    @Argument(help: "JPEG or PNG files to measure.")
    var files: [String]

    @Option(help: "Timed runs per file.")
    var runs = 50

    @Option(help: "Model input side.")
    var size = 224

    @Flag(help: "Print {\"file\": {\"ms_median\": x, \"cpu_ms_median\": y}} instead of text.")
    var json = false

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        guard size > 0 else { throw ValidationError("--size must be positive") }
    }

    func run() throws {
        let input = UnsafeMutablePointer<Float>.allocate(capacity: size * size * 3)
        defer { input.deallocate() }
        var results: [String: [String: Double]] = [:]
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            var info = try ModelInput.prepare(bytes, size: size, into: input)  // warm-up, and fail early
            for _ in 0..<2 { info = try ModelInput.prepare(bytes, size: size, into: input) }
            let (wall, cpu) = try measure { _ = try ModelInput.prepare(bytes, size: size, into: input) }
            results[file] = ["ms_median": wall, "cpu_ms_median": cpu]
            if !json {
                let (decodeWall, _) = try bytes.withUnsafeBytes { raw in
                    try measure { _ = try ImageDecoder.decodeRGB(raw, minimumSide: size) }
                }
                print("\(file): \(info.format.rawValue) \(info.width)x\(info.height), median \(format(wall)) ms "
                      + "(CPU \(format(cpu)) ms; decoding alone \(format(decodeWall)) ms) over \(runs) runs")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
    }

    /// Medians of wall-clock and thread CPU milliseconds over `runs` calls of `body`.
    private func measure(_ body: () throws -> Void) throws -> (wall: Double, cpu: Double) {
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<runs {
            let (wallStart, cpuStart) = (now(CLOCK_MONOTONIC), now(CLOCK_THREAD_CPUTIME_ID))
            try body()
            wall.append(now(CLOCK_MONOTONIC) - wallStart)
            cpu.append(now(CLOCK_THREAD_CPUTIME_ID) - cpuStart)
        }
        return (wall.sorted()[runs / 2], cpu.sorted()[runs / 2])
    }

    private func now(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
    }

    private func format(_ ms: Double) -> String { formatted("%.3f", ms) }
}
