import CPNG
import Foundation
import MobileNet
import TestSupport

/// The reference data in ../shared/golden (see its README) and the models it was made with.
enum GoldenData {
    static let images = ["chelsea", "coffee", "astronaut", "gradient"]
    static let intermediateLayers = ["conv1_relu", "conv_dw_1_relu", "conv_pw_1_relu", "conv_pw_6_relu", "conv_pw_13_relu"]

    static var alpha100Path: String {
        FileManager.default.fileExists(atPath: TestPaths.defaultModel.path)
            ? TestPaths.defaultModel.path
            : TestPaths.sharedModels.appendingPathComponent("mobilenet_1_0_224_tf_no_top.h5").path
    }
    static let alpha025Path = TestPaths.sharedModels.appendingPathComponent("mobilenet_2_5_224_tf_no_top.h5").path
    static let alpha025WithTopPath = TestPaths.sharedModels.appendingPathComponent("mobilenet_2_5_224_tf.h5").path

    /// Loaded once and shared by every test (the model is immutable and Sendable).
    static let alpha100: Result<MobileNetModel, Error> = Result { try MobileNetModel(contentsOf: alpha100Path) }
    static let alpha025: Result<MobileNetModel, Error> = Result { try MobileNetModel(contentsOf: alpha025Path) }

    /// A golden PNG as the model's input: 224×224×3 floats, `x / 127.5 - 1`.
    static func input(_ name: String) throws -> [Float] {
        try PNGReader.rgb(TestPaths.golden.appendingPathComponent("\(name).png").path)
            .map { Float($0) / Float(127.5) - Float(1) }
    }

    /// A golden little-endian float32 file.
    static func floats(_ file: String) throws -> [Float] {
        let data = try Data(contentsOf: TestPaths.golden.appendingPathComponent(file))
        return stride(from: 0, to: data.count - 3, by: 4).map { offset in
            let bits = UInt32(data[offset]) | UInt32(data[offset + 1]) << 8
                | UInt32(data[offset + 2]) << 16 | UInt32(data[offset + 3]) << 24
            return Float(bitPattern: bits)
        }
    }

    /// Largest absolute difference and cosine similarity of two equally long vectors.
    static func compare(_ a: [Float], _ b: [Float]) -> (maxAbsDiff: Float, cosine: Double) {
        var maxDiff: Float = 0, dot = 0.0, normA = 0.0, normB = 0.0
        for (x, y) in zip(a, b) {
            maxDiff = max(maxDiff, abs(x - y))
            dot += Double(x) * Double(y); normA += Double(x) * Double(x); normB += Double(y) * Double(y)
        }
        return (maxDiff, dot / (normA * normB).squareRoot())
    }
}

/// Decodes 8-bit RGB PNGs with libpng's simplified API (the test's own reader: Imaging is not
/// involved, so these tests check the network alone).
enum PNGReader {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func rgb(_ path: String) throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw Failure(description: "cannot read PNG \(path)")
        }
        image.format = UInt32(PNG_FORMAT_RGB)
        var pixels = [UInt8](repeating: 0, count: Int(image.width * image.height * 3))
        let ok = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard ok != 0 else {
            png_image_free(&image)
            throw Failure(description: "cannot decode PNG \(path)")
        }
        return pixels
    }
}
