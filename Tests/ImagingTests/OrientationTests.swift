import Testing
import Imaging

@Suite struct OrientationTests {
    /// The picture as it should be seen: 48x32, four quadrants of distinct colours, so any mirror or
    /// turn would move at least one colour.
    static let visualWidth = 48, visualHeight = 32
    static let red: [UInt8] = [255, 0, 0], green: [UInt8] = [0, 255, 0], blue: [UInt8] = [0, 0, 255], yellow: [UInt8] = [255, 255, 0]

    static func visual(_ x: Int, _ y: Int) -> [UInt8] {
        switch (x < visualWidth / 2, y < visualHeight / 2) {
        case (true, true): red
        case (false, true): green
        case (true, false): blue
        case (false, false): yellow
        }
    }

    /// The pixels a camera stores for `orientation`, built from the EXIF definition of each value: where
    /// the stored row 0 and column 0 lie in the visual picture.
    static func stored(_ orientation: Int) -> (pixels: [UInt8], width: Int, height: Int) {
        enum Side { case top, bottom, left, right }
        let (row0, column0): (Side, Side) = [
            1: (.top, .left), 2: (.top, .right), 3: (.bottom, .right), 4: (.bottom, .left),
            5: (.left, .top), 6: (.right, .top), 7: (.right, .bottom), 8: (.left, .bottom),
        ][orientation]!
        let turned = orientation >= 5
        let width = turned ? visualHeight : visualWidth, height = turned ? visualWidth : visualHeight
        let pixels = rgbPixels(width: width, height: height) { c, r in
            if turned {  // stored rows run along visual columns, stored columns along visual rows
                let vx = row0 == .left ? r : visualWidth - 1 - r
                let vy = column0 == .top ? c : visualHeight - 1 - c
                return visual(vx, vy)
            }
            let vy = row0 == .top ? r : visualHeight - 1 - r
            let vx = column0 == .left ? c : visualWidth - 1 - c
            return visual(vx, vy)
        }
        return (pixels, width, height)
    }

    @Test("EXIF orientations 1-8 land the right way up", arguments: 1...8)
    func orientation(_ orientation: Int) throws {
        let (pixels, width, height) = Self.stored(orientation)
        let plain = JPEGEncoder.encode(pixels, width: width, height: height)
        let jpeg = JPEGEncoder.withOrientation(plain, orientation, bigEndian: orientation % 2 == 0)

        let image = try decode(jpeg)
        #expect(image.width == Self.visualWidth && image.height == Self.visualHeight)
        for (x, y) in [(6, 5), (40, 5), (6, 27), (40, 27), (20, 14), (28, 18)] {
            #expect(close(image.pixel(x, y), Self.visual(x, y).map(Int.init), 12),
                    "orientation \(orientation) at (\(x), \(y)): \(image.pixel(x, y))")
        }
        // Turned after DCT scaling too, and reported with the upright size.
        let half = try decode(jpeg, minimumSide: 16)
        #expect(half.width == Self.visualWidth / 2 && half.height == Self.visualHeight / 2)
        #expect(close(half.pixel(3, 3), Self.red.map(Int.init), 20) && close(half.pixel(20, 12), Self.yellow.map(Int.init), 20))
        let (info, _) = try prepare(jpeg)
        #expect(info == ImageInfo(format: .jpeg, width: Self.visualWidth, height: Self.visualHeight))
    }

    @Test("without EXIF, or with a damaged orientation, the stored pixels are kept")
    func missingOrDamaged() throws {
        let (pixels, width, height) = Self.stored(1)
        let plain = JPEGEncoder.encode(pixels, width: width, height: height)
        for jpeg in [plain, JPEGEncoder.withOrientation(plain, 0, bigEndian: true), JPEGEncoder.withOrientation(plain, 9, bigEndian: false)] {
            let image = try decode(jpeg)
            #expect(image.width == width && close(image.pixel(40, 5), Self.green.map(Int.init), 12))
        }
    }
}
