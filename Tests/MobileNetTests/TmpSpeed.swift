import Foundation
import MobileNet
import Testing
@Test func tmpSpeed() throws {
    let model = try GoldenData.alpha100.get()
    let extractor = FeatureExtractor(model: model, threads: 1)
    var inputs: [(String, [Float])] = try GoldenData.images.map { ($0, try GoldenData.input($0)) }
    var g = SystemRandomNumberGenerator()
    inputs.append(("noise", (0..<(224*224*3)).map { _ in Float.random(in: -1...1, using: &g) }))
    for round in 0..<4 {
        FeatureExtractor.setDense(round % 2 == 0)
        for (name, input) in inputs {
            _ = input.withUnsafeBufferPointer { extractor.embed($0.baseAddress!, count: 1) }
            var best = 1e9
            for _ in 0..<15 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = input.withUnsafeBufferPointer { extractor.embed($0.baseAddress!, count: 1) }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            print("SPEED", round % 2 == 0 ? "dense" : "sparse", name, String(format: "%.2f ms", best))
        }
    }
}
