import Testing
import Imaging

@Suite struct ResizeTests {
    @Test("a flat colour stays flat when shrinking, enlarging or both", arguments: [(500, 300), (7, 5), (300, 100), (224, 224)])
    func flat(_ size: (Int, Int)) throws {
        let png = rgbPNG(rgbPixels(width: size.0, height: size.1) { _, _ in [10, 200, 77] }, width: size.0, height: size.1)
        let (info, input) = try prepare(png)
        #expect(info == ImageInfo(format: .png, width: size.0, height: size.1))
        #expect(allClose(input, pixel: [10, 200, 77], tolerance: 1e-4))
    }

    @Test("a 2x2 checker averages to mid-grey in one pixel")
    func checkerToOnePixel() throws {
        let png = rgbPNG(rgbPixels(width: 2, height: 2) { x, y in (x + y) % 2 == 0 ? [0, 0, 0] : [255, 255, 255] }, width: 2, height: 2)
        let (_, input) = try prepare(png, size: 1)
        #expect(allClose(input, pixel: [127.5, 127.5, 127.5]))
    }

    @Test("a one-pixel checker halved averages every 2x2 block: area averaging, no aliasing")
    func checkerHalved() throws {
        let png = rgbPNG(rgbPixels(width: 448, height: 448) { x, y in (x + y) % 2 == 0 ? [0, 0, 0] : [255, 255, 255] }, width: 448, height: 448)
        let (_, input) = try prepare(png)
        #expect(allClose(input, pixel: [127.5, 127.5, 127.5]))
    }

    @Test("shrinking by 1.5 weighs each source pixel by the area it covers")
    func fractionalArea() throws {
        // Columns 0, 255, 0 → two outputs each covering 1.5 columns: (0 + 0.5·255)/1.5 = 85, then 85 again.
        let png = rgbPNG(rgbPixels(width: 3, height: 1) { x, _ in x == 1 ? [255, 255, 255] : [0, 0, 0] }, width: 3, height: 1)
        var input = [Float](repeating: .nan, count: 2 * 2 * 3)
        _ = try input.withUnsafeMutableBufferPointer { try ModelInput.prepare(png, size: 2, into: $0.baseAddress!) }
        #expect(allClose(input, pixel: [85, 85, 85]))
    }

    @Test("enlarging interpolates bilinearly between pixel centres")
    func bilinear() throws {
        // Two columns, 0 and 255, to four: centres at source x = -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
        let png = rgbPNG([0, 0, 0, 255, 255, 255], width: 2, height: 1)
        let (_, input) = try prepare(png, size: 4)
        let expected: [Double] = [0, 63.75, 191.25, 255]
        for y in 0..<4 {
            for x in 0..<4 {
                for c in 0..<3 { #expect(abs(input[(y * 4 + x) * 3 + c] - normalised(expected[x])) < 1e-5) }
            }
        }
    }

    @Test("output is NHWC, RGB order, scaled to x / 127.5 - 1")
    func layout() throws {
        // Left half red, right half blue; 448 wide halves exactly to the 224 output.
        let png = rgbPNG(rgbPixels(width: 448, height: 10) { x, _ in x < 224 ? [255, 0, 0] : [0, 0, 255] }, width: 448, height: 10)
        let (_, input) = try prepare(png)
        let leftTop = Array(input[0..<3]), rightBottom = Array(input[(224 * 224 - 1) * 3..<224 * 224 * 3])
        #expect(zip(leftTop, [1, -1, -1]).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(rightBottom, [-1, -1, 1]).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}
