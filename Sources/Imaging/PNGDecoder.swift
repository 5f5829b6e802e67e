import CPNGDecode

/// PNG decoding with libpng, through the small C target `CPNGDecode` (see why in png_decode.c).
///
/// Every colour type and bit depth (gray 1–16 bit, palette with tRNS, RGB, gray+alpha, RGBA, 16-bit,
/// Adam7 interlacing) becomes 8-bit RGB, with transparency composited over white so product cut-outs
/// look like product shots. The blend is the usual 8-bit one, `c·a + 255·(1 − a)`, the same way the
/// catalog's cut-outs were flattened. The header is read first so the pixel limit is checked before
/// the pixel buffer is allocated.
enum PNGDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, limits: ImageLimits) throws(ImageError) -> (RGBImage, ImageInfo) {
        guard let data = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw .empty }
        var message = [CChar](repeating: 0, count: Int(PNG_DECODE_MESSAGE_SIZE))
        var width: UInt32 = 0, height: UInt32 = 0
        guard png_decode_header(data, bytes.count, &width, &height, &message) != 0 else {
            throw .corrupt(text(message))
        }
        let w = Int(width), h = Int(height)
        try limits.checkPixels(width: w, height: h)

        var failed = false
        var pixels = [UInt8](unsafeUninitializedCapacity: w * h * 4) { buffer, count in
            failed = png_decode_rgb_over_white(data, bytes.count, width, height, buffer.baseAddress, &message) == 0
            if failed { buffer.initialize(repeating: 0) }
            count = buffer.count
        }
        if failed { throw .corrupt(text(message)) }
        pixels.removeLast(w * h)  // the decoder compacted RGBA to RGB at the front
        return (RGBImage(width: w, height: h, pixels: pixels), ImageInfo(format: .png, width: w, height: h))
    }

    private static func text(_ message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? "unknown PNG error" : String(decoding: bytes, as: UTF8.self)
    }
}
