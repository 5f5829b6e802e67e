import Testing
import Imaging

@Suite struct JPEGDecodingTests {
    @Test("a grayscale JPEG becomes RGB with equal channels")
    func grayscale() throws {
        // Two 8x8-aligned flat halves, so each DCT block is flat and survives compression.
        let gray = (0..<16 * 16).map { UInt8($0 % 16 < 8 ? 40 : 220) }
        let image = try decode(JPEGEncoder.encode(gray, width: 16, height: 16, as: .gray))
        #expect(image.width == 16 && image.height == 16)
        #expect(close(image.pixel(3, 5), [40, 40, 40], 2))
        #expect(close(image.pixel(12, 10), [220, 220, 220], 2))
    }

    @Test("a CMYK (YCCK, Adobe-inverted) JPEG becomes the right RGB")
    func cmyk() throws {
        // Inks per 8x8 block (0 = none, 255 = full) and the RGB they print as.
        let inks: [([Int], [Int])] = [
            ([255, 0, 0, 0], [0, 255, 255]),      // cyan
            ([0, 255, 0, 0], [255, 0, 255]),      // magenta
            ([0, 0, 255, 0], [255, 255, 0]),      // yellow
            ([0, 0, 0, 128], [127, 127, 127]),    // half black
            ([0, 0, 0, 0], [255, 255, 255]),      // paper
        ]
        let width = 8 * inks.count, height = 8
        var stored: [UInt8] = []
        for _ in 0..<height {
            for x in 0..<width { stored += inks[x / 8].0.map { UInt8(255 - $0) } }  // Adobe stores inverted inks
        }
        let image = try decode(JPEGEncoder.encode(stored, width: width, height: height, as: .cmyk))
        #expect(image.width == width && image.height == height)
        for (block, (_, rgb)) in inks.enumerated() {
            #expect(close(image.pixel(block * 8 + 4, 4), rgb, 3), "block \(block): \(image.pixel(block * 8 + 4, 4)) != \(rgb)")
        }
    }

    @Test("a progressive JPEG decodes like its baseline twin, in full and DCT-scaled")
    func progressive() throws {
        let pixels = rgbPixels(width: 64, height: 48) { x, y in [UInt8(x * 4), UInt8(y * 5), UInt8((x + y) * 2)] }
        let baseline = JPEGEncoder.encode(pixels, width: 64, height: 48)
        let progressive = JPEGEncoder.encode(pixels, width: 64, height: 48, progressive: true)
        #expect(JPEGEncoder.offset(ofMarker: 0xC2, in: progressive) != nil)  // SOF2: progressive DCT
        #expect(JPEGEncoder.offset(ofMarker: 0xC0, in: progressive) == nil)
        let a = try decode(baseline), b = try decode(progressive)
        #expect(b.width == 64 && b.height == 48)
        #expect(zip(a.pixels, b.pixels).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
        let scaled = try decode(progressive, minimumSide: 24)
        #expect(scaled.width == 32 && scaled.height == 24)
        #expect(close(scaled.pixel(10, 10), a.pixel(21, 21), 8))
    }

    /// (width, height) → the size decoded with minimumSide 224: the smallest of 1/8, 1/4, 1/2, 1 that
    /// keeps both sides (rounded up) at 224 or more.
    static let scaleCases: [((Int, Int), (Int, Int))] = [
        ((3000, 2000), (375, 250)),   // 1/8
        ((1800, 1792), (225, 224)),   // 1/8, just enough
        ((1790, 1000), (448, 250)),   // 1/8 would give 125 rows: 1/4
        ((640, 480), (320, 240)),     // 1/2
        ((447, 600), (224, 300)),     // 1/2: 447/2 rounds up to 224
        ((446, 600), (446, 600)),     // 1/2 would give 223 columns: full size
        ((224, 224), (224, 224)),
        ((100, 50), (100, 50)),       // smaller than the model input: never enlarged by the decoder
    ]

    @Test("the DCT scale is the smallest that keeps both sides >= 224", arguments: scaleCases)
    func dctScaling(_ size: (Int, Int), _ expected: (Int, Int)) throws {
        let (width, height) = size
        let pixels = rgbPixels(width: width, height: height) { x, y in [UInt8(x % 256), UInt8(y % 256), 128] }
        let jpeg = JPEGEncoder.encode(pixels, width: width, height: height, quality: 75)
        let image = try decode(jpeg, minimumSide: 224)
        #expect(image.width == expected.0 && image.height == expected.1)
        #expect(image.pixels.count == expected.0 * expected.1 * 3)
        let full = try decode(jpeg)
        #expect(full.width == width && full.height == height)
        let (info, _) = try prepare(jpeg)
        #expect(info == ImageInfo(format: .jpeg, width: width, height: height))
    }

    @Test("a flat colour stays flat through DCT scaling and resizing")
    func flatThroughScaling() throws {
        let jpeg = JPEGEncoder.encode(rgbPixels(width: 1600, height: 1200) { _, _ in [90, 140, 210] }, width: 1600, height: 1200)
        let (_, input) = try prepare(jpeg)
        #expect(allClose(input, pixel: [90, 140, 210], tolerance: 2.5 / 127.5))
    }

    @Test("a 1x1 JPEG decodes and fills the whole model input")
    func onePixel() throws {
        let jpeg = JPEGEncoder.encode([200, 100, 50], width: 1, height: 1)
        let image = try decode(jpeg, minimumSide: 224)
        #expect(image.width == 1 && image.height == 1)
        #expect(close(image.pixel(0, 0), [200, 100, 50], 3))
        let pixel = image.pixel(0, 0).map(Double.init)
        let (info, input) = try prepare(jpeg)
        #expect(info == ImageInfo(format: .jpeg, width: 1, height: 1))
        #expect(allClose(input, pixel: pixel))
    }
}
