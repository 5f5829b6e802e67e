/// Turns encoded JPEG or PNG bytes into upright 8-bit RGB, or a clear `ImageError`.
/// Stateless and safe to call from any number of threads at once.
public enum ImageDecoder {
    /// The format whose magic bytes start `bytes`; nil for anything else.
    public static func detectFormat(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        ImageFormat.detect(bytes)
    }

    /// Decodes, applies EXIF orientation, composites alpha over white. With minimumSide > 0, JPEGs use the
    /// smallest DCT scale that keeps both sides >= minimumSide.
    public static func decodeRGB(_ bytes: UnsafeRawBufferPointer, minimumSide: Int = 0, limits: ImageLimits = .default) throws -> RGBImage {
        try decode(bytes, minimumSide: minimumSide, limits: limits).image
    }

    /// Like `decodeRGB`, also returning the format and the full upright size of the original.
    public static func decode(_ bytes: UnsafeRawBufferPointer, minimumSide: Int = 0,
                              limits: ImageLimits = .default) throws(ImageError) -> (image: RGBImage, info: ImageInfo) {
        if bytes.isEmpty { throw .empty }
        try limits.checkEncoded(bytes.count)
        switch ImageFormat.detect(bytes) {
        case .jpeg: return try JPEGDecoder.decode(bytes, minimumSide: minimumSide, limits: limits)
        case .png: return try PNGDecoder.decode(bytes, limits: limits)
        case nil: throw .unsupportedFormat(detected: ImageFormat.nameOfUnsupported(bytes))
        }
    }
}
