/// Why an input could not become an image. Every message is fit to show the person who sent the file.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// The input has no bytes at all.
    case empty
    /// The bytes are not JPEG or PNG; `detected` names what they look like ("gif", "webp", "unknown", …).
    case unsupportedFormat(detected: String)
    /// The bytes claim to be JPEG or PNG but cannot be decoded; the reason comes from the decoder.
    case corrupt(String)
    /// The header states more pixels than `limit` allows.
    case tooLarge(width: Int, height: Int, limit: Int)
    /// The encoded file is larger than `limit` bytes.
    case fileTooLarge(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .empty:
            return "The image is empty (0 bytes)."
        case .unsupportedFormat(let detected):
            let what = detected == "unknown" ? "not a recognised image" : "a \(detected.uppercased()) image"
            return "Unsupported image format: the file is \(what). Please send a JPEG or PNG."
        case .corrupt(let reason):
            return "The image could not be decoded; it is damaged or incomplete (\(reason))."
        case .tooLarge(let width, let height, let limit):
            return "The image is too large: \(width)x\(height) pixels, the limit is \(limit / 1_000_000) megapixels."
        case .fileTooLarge(let bytes, let limit):
            return "The file is too large: \(bytes) bytes, the limit is \(limit) bytes."
        }
    }
}
