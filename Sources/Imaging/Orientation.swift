/// The EXIF orientation of a photo (tag 0x0112): how the stored pixels must be turned to be upright.
///
/// Raw values 1–8 as in the EXIF spec: 1 upright, 2 mirrored left-right, 3 rotated 180°, 4 mirrored
/// top-bottom, 5 transposed, 6 needs 90° clockwise, 7 transversed, 8 needs 90° counter-clockwise.
struct Orientation: Equatable {
    let rawValue: Int

    static let upright = Orientation(rawValue: 1)

    /// Values outside 1–8 (missing or damaged tags) mean upright, as viewers treat them.
    init(rawValue: Int) {
        self.rawValue = (1...8).contains(rawValue) ? rawValue : 1
    }

    /// Orientations 5–8 exchange width and height.
    var swapsSides: Bool { rawValue >= 5 }

    /// The stored image turned upright.
    func apply(to image: RGBImage) -> RGBImage {
        if self == .upright { return image }
        let w = image.width, h = image.height
        let outWidth = swapsSides ? h : w, outHeight = swapsSides ? w : h
        // For output pixel (x, y) the source pixel index is base + x * stepX + y * stepY.
        let (base, stepX, stepY): (Int, Int, Int)
        switch rawValue {
        case 2: (base, stepX, stepY) = (w - 1, -1, w)
        case 3: (base, stepX, stepY) = ((h - 1) * w + w - 1, -1, -w)
        case 4: (base, stepX, stepY) = ((h - 1) * w, 1, -w)
        case 5: (base, stepX, stepY) = (0, w, 1)
        case 6: (base, stepX, stepY) = ((h - 1) * w, -w, 1)
        case 7: (base, stepX, stepY) = ((h - 1) * w + w - 1, -w, -1)
        default: (base, stepX, stepY) = (w - 1, w, -1)  // 8
        }
        let pixels = [UInt8](unsafeUninitializedCapacity: image.pixels.count) { out, count in
            image.pixels.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = out.baseAddress else { return }
                var o = 0
                for y in 0..<outHeight {
                    var i = (base + y * stepY) * 3
                    for _ in 0..<outWidth {
                        d[o] = s[i]; d[o + 1] = s[i + 1]; d[o + 2] = s[i + 2]
                        o += 3
                        i += stepX * 3
                    }
                }
            }
            count = image.pixels.count
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: pixels)
    }
}
