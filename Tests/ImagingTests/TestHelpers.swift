import Imaging

/// Decodes encoded bytes through the public API.
func decode(_ bytes: [UInt8], minimumSide: Int = 0, limits: ImageLimits = .default) throws -> RGBImage {
    try bytes.withUnsafeBytes { try ImageDecoder.decodeRGB($0, minimumSide: minimumSide, limits: limits) }
}

/// Runs `ModelInput.prepare` and returns the tensor it wrote.
func prepare(_ bytes: [UInt8], size: Int = 224, limits: ImageLimits = .default) throws -> (info: ImageInfo, input: [Float]) {
    var input = [Float](repeating: .nan, count: size * size * 3)
    let info = try input.withUnsafeMutableBufferPointer { try ModelInput.prepare(bytes, size: size, into: $0.baseAddress!, limits: limits) }
    return (info, input)
}

/// The model's value for an 8-bit sample.
func normalised(_ value: Double) -> Float { Float(value / 127.5 - 1) }

extension RGBImage {
    func pixel(_ x: Int, _ y: Int) -> [Int] {
        let i = (y * width + x) * 3
        return [Int(pixels[i]), Int(pixels[i + 1]), Int(pixels[i + 2])]
    }
}

/// True when every channel of `a` is within `tolerance` of `b`.
func close(_ a: [Int], _ b: [Int], _ tolerance: Int) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

/// An RGB image (3 bytes per pixel) filled by `color(x, y)`.
func rgbPixels(width: Int, height: Int, _ color: (Int, Int) -> [UInt8]) -> [UInt8] {
    var pixels: [UInt8] = []
    pixels.reserveCapacity(width * height * 3)
    for y in 0..<height { for x in 0..<width { pixels += color(x, y) } }
    return pixels
}

/// An 8-bit RGB PNG of `pixels`.
func rgbPNG(_ pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
    PNGEncoder.encode(pixels.map(UInt16.init), width: width, height: height, type: .rgb, bitDepth: 8)
}

/// A small deterministic generator for the garbage-input tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// True when every pixel of a model input equals `pixel` (8-bit RGB) after normalisation.
func allClose(_ input: [Float], pixel: [Double], tolerance: Float = 1e-5) -> Bool {
    let want = pixel.map(normalised)
    return input.indices.allSatisfy { abs(input[$0] - want[$0 % 3]) <= tolerance }
}
