/// The encodings the decoder accepts, recognised by content (magic bytes), never by name or MIME type.
public enum ImageFormat: String, Sendable {
    case jpeg, png

    /// The format whose signature starts `bytes`, or nil.
    static func detect(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }

    /// A short name for a format we do not decode, so the error can say what was sent.
    static func nameOfUnsupported(_ bytes: UnsafeRawBufferPointer) -> String {
        func ascii(_ range: Range<Int>) -> String? {
            guard range.upperBound <= bytes.count else { return nil }
            return String(decoding: bytes[range], as: UTF8.self)
        }
        if ascii(0..<4) == "GIF8" { return "gif" }
        if ascii(0..<4) == "RIFF", ascii(8..<12) == "WEBP" { return "webp" }
        if ascii(0..<2) == "BM" { return "bmp" }
        if ascii(0..<4) == "II*\u{0}" || ascii(0..<4) == "MM\u{0}*" { return "tiff" }
        if ascii(0..<4) == "%PDF" { return "pdf" }
        if ascii(4..<8) == "ftyp", let brand = ascii(8..<12) {
            if brand.hasPrefix("avi") { return "avif" }
            if brand.hasPrefix("hei") || brand.hasPrefix("hev") || brand == "mif1" || brand == "msf1" { return "heic" }
        }
        return "unknown"
    }
}
