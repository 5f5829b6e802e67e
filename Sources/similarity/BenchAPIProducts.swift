import CTurboJPEG

/// Synthetic 640x480 product photos for the API benchmark: a colour gradient with a few solid
/// shapes, different for every seed, encoded as JPEG quality 90.
enum BenchAPIProducts {
    static let width = 640
    static let height = 480

    struct EncodeError: Error, CustomStringConvertible {
        let description: String
    }

    /// The RGB pixels of product `seed`.
    static func pixels(seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let from = (0..<3).map { _ in Float(random.next() % 256) }
        let to = (0..<3).map { _ in Float(random.next() % 256) }
        let vertical = random.next() % 2 == 0
        for y in 0..<height {
            for x in 0..<width {
                let t = vertical ? Float(y) / Float(height) : Float(x) / Float(width)
                let base = (y * width + x) * 3
                for c in 0..<3 { pixels[base + c] = UInt8(from[c] + (to[c] - from[c]) * t) }
            }
        }
        for _ in 0..<(3 + Int(random.next() % 4)) {
            let w = 40 + Int(random.next() % 240), h = 40 + Int(random.next() % 200)
            let left = Int(random.next() % UInt64(width - w)), top = Int(random.next() % UInt64(height - h))
            let colour = (0..<3).map { _ in UInt8(random.next() % 256) }
            let round = random.next() % 2 == 0
            for y in top..<(top + h) {
                for x in left..<(left + w) {
                    if round {
                        let dx = Float(x - left) / Float(w) - 0.5, dy = Float(y - top) / Float(h) - 0.5
                        if dx * dx + dy * dy > 0.25 { continue }
                    }
                    let base = (y * width + x) * 3
                    pixels[base] = colour[0]; pixels[base + 1] = colour[1]; pixels[base + 2] = colour[2]
                }
            }
        }
        return pixels
    }

    /// `pixels` (RGB, `width` x `height`) as a baseline JPEG.
    static func jpeg(_ pixels: [UInt8], quality: Int32 = 90) throws -> [UInt8] {
        guard let handle = tjInitCompress() else { throw EncodeError(description: "tjInitCompress failed") }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let result = pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue),
                        &output, &size, Int32(TJSAMP_420.rawValue), quality, 0)
        }
        defer { if let output { tjFree(output) } }
        guard result == 0, let output else { throw EncodeError(description: "tjCompress2 failed") }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }
}

/// A small deterministic generator (SplitMix64), so every run builds the same catalog.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
