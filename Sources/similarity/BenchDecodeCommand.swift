import ArgumentParser
import Foundation
import Imaging

/// `similarity bench decode FILE...`: median time of decode + resize + normalise (`ModelInput.prepare`)
/// per file, on one thread, after a few warm-up runs.
struct BenchDecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "Decode, resize and normalise time per image.")

    @Argument(help: "JPEG or PNG files to measure.")
    var files: [String]

    @Option(help: "Timed runs per file.")
    var runs = 50

    @Option(help: "Model input side.")
    var size = 224

    @Flag(help: "Print {\"file\": {\"ms_median\": x}} instead of text.")
    var json = false

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        guard size > 0 else { throw ValidationError("--size must be positive") }
    }

    func run() async throws {
        let input = UnsafeMutablePointer<Float>.allocate(capacity: size * size * 3)
        defer { input.deallocate() }
        var results: [String: [String: Double]] = [:]
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            var info = try ModelInput.prepare(bytes, size: size, into: input)  // warm-up, and fail early
            for _ in 0..<2 { info = try ModelInput.prepare(bytes, size: size, into: input) }
            var times: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                _ = try ModelInput.prepare(bytes, size: size, into: input)
                times.append(milliseconds(ContinuousClock.now - start))
            }
            let median = times.sorted()[times.count / 2]
            results[file] = ["ms_median": median]
            if !json {
                let decode = try decodeMedian(bytes)
                print("\(file): \(info.format.rawValue) \(info.width)x\(info.height), median \(format(median)) ms "
                      + "(decode alone \(format(decode)) ms) over \(runs) runs")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
    }

    /// Median of the decoding step alone (at the DCT scale `prepare` would use), to show where time goes.
    private func decodeMedian(_ bytes: [UInt8]) throws -> Double {
        try bytes.withUnsafeBytes { raw in
            var times: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                _ = try ImageDecoder.decodeRGB(raw, minimumSide: size)
                times.append(milliseconds(ContinuousClock.now - start))
            }
            return times.sorted()[times.count / 2]
        }
    }

    private func format(_ ms: Double) -> String { String(format: "%.3f", ms) }

    private func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
