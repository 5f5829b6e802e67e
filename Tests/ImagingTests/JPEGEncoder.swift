import CTurboJPEG

/// Test inputs: JPEGs made with libjpeg-turbo's encoder, and an EXIF block written by hand.
enum JPEGEncoder {
    enum Pixels { case rgb, gray, cmyk }

    /// Encodes `pixels` (3, 1 or 4 bytes per pixel for rgb, gray, cmyk) at quality 95.
    static func encode(_ pixels: [UInt8], width: Int, height: Int, as kind: Pixels = .rgb,
                       progressive: Bool = false, quality: Int32 = 95) -> [UInt8] {
        let handle = tjInitCompress()
        defer { tjDestroy(handle) }
        let (format, sampling, channels): (TJPF, TJSAMP, Int) = switch kind {
        case .rgb: (TJPF_RGB, TJSAMP_444, 3)
        case .gray: (TJPF_GRAY, TJSAMP_GRAY, 1)
        case .cmyk: (TJPF_CMYK, TJSAMP_444, 4)
        }
        precondition(pixels.count == width * height * channels)
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let flags = progressive ? TJFLAG_PROGRESSIVE : 0
        let status = tjCompress2(handle, pixels, Int32(width), 0, Int32(height), format.rawValue,
                                 &output, &size, Int32(sampling.rawValue), quality, flags)
        precondition(status == 0, String(cString: tjGetErrorStr2(handle)))
        defer { tjFree(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    /// `jpeg` with an APP1 EXIF segment holding only IFD0 with the orientation tag, right after SOI.
    static func withOrientation(_ jpeg: [UInt8], _ orientation: Int, bigEndian: Bool) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: Int) -> [UInt8] { bigEndian ? [0, 0] + u16(v) : u16(v) + [0, 0] }
        var tiff: [UInt8] = bigEndian ? Array("MM".utf8) : Array("II".utf8)
        tiff += u16(42) + u32(8)                     // magic, IFD0 at offset 8
        tiff += u16(2)                               // two entries
        tiff += u16(0x010F) + u16(2) + u32(4) + Array("Cam\0".utf8)   // Make, ASCII, fits in the value field
        tiff += u16(0x0112) + u16(3) + u32(1) + u16(orientation) + [0, 0]  // Orientation, SHORT
        tiff += u32(0)                               // no IFD1
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        let segment: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        return Array(jpeg[0..<2]) + segment + Array(jpeg[2...])
    }

    /// The offset of the first marker `code` (e.g. 0xC0 for SOF0) in a JPEG.
    static func offset(ofMarker code: UInt8, in jpeg: [UInt8]) -> Int? {
        (0..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == code }
    }
}
