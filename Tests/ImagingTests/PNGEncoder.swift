import CPNG

/// Test inputs: PNGs made with libpng's own writer (any colour type, bit depth, palette, tRNS, Adam7).
enum PNGEncoder {
    /// PNG colour types by their numbers in the spec.
    enum ColorType: Int32, CaseIterable, Sendable {
        case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6
        var channels: Int { [1, 0, 3, 1, 2, 0, 4][Int(rawValue)] }
    }

    struct Options {
        var palette: [(UInt8, UInt8, UInt8)] = []
        /// tRNS: per-palette-entry alpha for palette images.
        var paletteAlpha: [UInt8] = []
        /// tRNS: the colour key (gray uses `.0`) for gray and RGB images, in the image's bit depth.
        var transparentKey: (UInt16, UInt16, UInt16)? = nil
        var interlaced = false
    }

    /// Encodes `samples` (one value per channel per pixel, row-major; palette images: one index per
    /// pixel), each already within the bit depth's range.
    static func encode(_ samples: [UInt16], width: Int, height: Int, type: ColorType, bitDepth: Int,
                       options: Options = Options()) -> [UInt8] {
        precondition(samples.count == width * height * type.channels)
        let sink = Sink()
        var png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nil, nil, nil)
        var info = png_create_info_struct(png)
        png_set_write_fn(png, Unmanaged.passUnretained(sink).toOpaque(), { png, data, count in
            guard let io = png_get_io_ptr(png), let data else { return }
            Unmanaged<Sink>.fromOpaque(io).takeUnretainedValue().bytes += UnsafeBufferPointer(start: data, count: count)
        }, nil)
        png_set_IHDR(png, info, UInt32(width), UInt32(height), Int32(bitDepth), type.rawValue,
                     options.interlaced ? 1 : 0, 0, 0)
        if !options.palette.isEmpty {
            var colors = options.palette.map { png_color(red: $0.0, green: $0.1, blue: $0.2) }
            png_set_PLTE(png, info, &colors, Int32(colors.count))
        }
        if !options.paletteAlpha.isEmpty {
            var alpha = options.paletteAlpha
            png_set_tRNS(png, info, &alpha, Int32(alpha.count), nil)
        }
        if let key = options.transparentKey {
            var color = png_color_16(index: 0, red: key.0, green: key.1, blue: key.2, gray: key.0)
            png_set_tRNS(png, info, nil, 0, &color)
        }
        png_write_info(png, info)
        let rows = (0..<height).map { y in
            pack(samples[(y * width * type.channels)..<((y + 1) * width * type.channels)], bitDepth: bitDepth)
        }
        var image = rows.flatMap { $0 }
        image.withUnsafeMutableBufferPointer { buffer in
            var pointers = (0..<height).map { Optional(buffer.baseAddress! + $0 * rows[0].count) }
            png_write_image(png, &pointers)  // also runs the Adam7 passes when interlaced
        }
        png_write_end(png, nil)
        png_destroy_write_struct(&png, &info)
        return sink.bytes
    }

    /// One row's samples as PNG stores them: packed most significant bits first below 8 bits,
    /// big-endian at 16.
    private static func pack(_ samples: ArraySlice<UInt16>, bitDepth: Int) -> [UInt8] {
        switch bitDepth {
        case 16: return samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case 8: return samples.map { UInt8($0) }
        default:
            let perByte = 8 / bitDepth
            var bytes = [UInt8](repeating: 0, count: (samples.count + perByte - 1) / perByte)
            for (i, sample) in samples.enumerated() {
                bytes[i / perByte] |= UInt8(sample) << (8 - bitDepth * (i % perByte + 1))
            }
            return bytes
        }
    }

    private final class Sink { var bytes: [UInt8] = [] }

    /// The offset of the first chunk of `type` (its length field) in a PNG.
    static func offset(ofChunk type: String, in png: [UInt8]) -> Int? {
        var at = 8
        while at + 8 <= png.count {
            let length = png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
            if String(decoding: png[at + 4..<at + 8], as: UTF8.self) == type { return at }
            at += 12 + length
        }
        return nil
    }

    /// CRC-32 as PNG uses it (over chunk type and data).
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
