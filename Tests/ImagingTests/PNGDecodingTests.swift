import Testing
import Imaging

@Suite struct PNGDecodingTests {
    static let depths: [(PNGEncoder.ColorType, Int)] = [
        (.gray, 1), (.gray, 2), (.gray, 4), (.gray, 8), (.gray, 16),
        (.rgb, 8), (.rgb, 16),
        (.palette, 1), (.palette, 2), (.palette, 4), (.palette, 8),
        (.grayAlpha, 8), (.grayAlpha, 16),
        (.rgba, 8), (.rgba, 16),
    ]

    @Test("every colour type and bit depth decodes to the right RGB", arguments: depths, [false, true])
    func colorTypesAndDepths(_ format: (PNGEncoder.ColorType, Int), interlaced: Bool) throws {
        let (type, depth) = format
        let width = 13, height = 7  // odd sizes exercise partial bytes and Adam7's small passes
        let levels = 1 << min(depth, 8)
        // Each colour sample is a level 0..<levels; 16-bit stores level*257 so its 8-bit value is exact.
        func level(_ x: Int, _ y: Int, _ c: Int) -> Int { (x * 5 + y * 11 + c * 3) % levels }
        let to8 = { (level: Int) in level * 255 / (levels - 1) }
        let stored = { (level: Int) in UInt16(depth == 16 ? level * 257 : level) }
        let palette: [(UInt8, UInt8, UInt8)] = (0..<levels).map { (i: Int) in
            let r = i * 37 % 256, g = i * 91 % 256, b = 255 - i * 13 % 256
            return (UInt8(r), UInt8(g), UInt8(b))
        }

        var samples: [UInt16] = []
        var expected: [[Int]] = []
        for y in 0..<height {
            for x in 0..<width {
                switch type {
                case .gray, .grayAlpha:
                    samples.append(stored(level(x, y, 0)))
                    if type == .grayAlpha { samples.append(depth == 16 ? 65535 : 255) }
                    expected.append(Array(repeating: to8(level(x, y, 0)), count: 3))
                case .rgb, .rgba:
                    samples += (0..<3).map { stored(level(x, y, $0)) }
                    if type == .rgba { samples.append(depth == 16 ? 65535 : 255) }
                    expected.append((0..<3).map { to8(level(x, y, $0)) })
                case .palette:
                    let index = (x + y * 3) % levels
                    samples.append(UInt16(index))
                    let color = palette[index]
                    expected.append([Int(color.0), Int(color.1), Int(color.2)])
                }
            }
        }
        var options = PNGEncoder.Options()
        options.interlaced = interlaced
        if type == .palette { options.palette = palette }
        let png = PNGEncoder.encode(samples, width: width, height: height, type: type, bitDepth: depth, options: options)

        let image = try decode(png)
        #expect(image.width == width && image.height == height)
        let tolerance = depth == 16 ? 1 : 0
        for y in 0..<height {
            for x in 0..<width {
                let want = expected[y * width + x]
                #expect(close(image.pixel(x, y), want, tolerance), "pixel (\(x), \(y)): \(image.pixel(x, y)) != \(want)")
            }
        }
    }

    @Test("RGBA: transparent becomes white, opaque keeps its colour, half-transparent black becomes grey")
    func rgbaOverWhite() throws {
        for depth in [8, 16] {
            let scale: UInt16 = depth == 16 ? 257 : 1
            let pixels: [[UInt16]] = [[200, 30, 60, 255], [200, 30, 60, 0], [0, 0, 0, 128]]
            let png = PNGEncoder.encode(pixels.flatMap { $0.map { $0 * scale } }, width: 3, height: 1, type: .rgba, bitDepth: depth)
            let image = try decode(png)
            #expect(close(image.pixel(0, 0), [200, 30, 60], 1))
            #expect(image.pixel(1, 0) == [255, 255, 255])
            let grey = image.pixel(2, 0)
            #expect(grey[0] == grey[1] && grey[1] == grey[2])
            #expect((120...195).contains(grey[0]), "half-transparent black over white: \(grey)")
        }
    }

    @Test("gray+alpha composites over white")
    func grayAlphaOverWhite() throws {
        for depth in [8, 16] {
            let scale: UInt16 = depth == 16 ? 257 : 1
            let png = PNGEncoder.encode([40, 255, 40, 0].map { $0 * scale }, width: 2, height: 1, type: .grayAlpha, bitDepth: depth)
            let image = try decode(png)
            #expect(close(image.pixel(0, 0), [40, 40, 40], 1))
            #expect(image.pixel(1, 0) == [255, 255, 255])
        }
    }

    @Test("palette with tRNS composites over white")
    func paletteTransparency() throws {
        var options = PNGEncoder.Options()
        options.palette = [(10, 20, 30), (200, 100, 50)]
        options.paletteAlpha = [0, 255]
        let png = PNGEncoder.encode([0, 1, 1, 0], width: 4, height: 1, type: .palette, bitDepth: 1, options: options)
        let image = try decode(png)
        #expect(image.pixel(0, 0) == [255, 255, 255])
        #expect(image.pixel(1, 0) == [200, 100, 50])
        #expect(image.pixel(3, 0) == [255, 255, 255])
    }

    @Test("gray and RGB colour keys (tRNS) become white")
    func colorKeyTransparency() throws {
        var gray = PNGEncoder.Options()
        gray.transparentKey = (77, 0, 0)
        let grayImage = try decode(PNGEncoder.encode([77, 78], width: 2, height: 1, type: .gray, bitDepth: 8, options: gray))
        #expect(grayImage.pixel(0, 0) == [255, 255, 255])
        #expect(grayImage.pixel(1, 0) == [78, 78, 78])

        var rgb = PNGEncoder.Options()
        rgb.transparentKey = (1, 2, 3)
        let rgbImage = try decode(PNGEncoder.encode([1, 2, 3, 1, 2, 4], width: 2, height: 1, type: .rgb, bitDepth: 8, options: rgb))
        #expect(rgbImage.pixel(0, 0) == [255, 255, 255])
        #expect(rgbImage.pixel(1, 0) == [1, 2, 4])
    }

    @Test("a 1x1 PNG decodes and fills the whole model input")
    func onePixel() throws {
        let png = rgbPNG([12, 34, 56], width: 1, height: 1)
        #expect(try decode(png).pixel(0, 0) == [12, 34, 56])
        let (info, input) = try prepare(png)
        #expect(info == ImageInfo(format: .png, width: 1, height: 1))
        #expect(allClose(input, pixel: [12, 34, 56]))
    }
}
