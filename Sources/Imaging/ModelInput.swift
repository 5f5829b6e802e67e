import FoundationEssentials

/// Encoded image → the model's input tensor: decode (JPEG at the smallest sufficient DCT scale), turn
/// upright, composite alpha over white, resize to size×size (see `ModelResizer`), scale to [-1, 1].
public enum ModelInput {
    /// Decode + resize to size×size + x/127.5-1 into destination (size*size*3 floats, NHWC).
    /// Returns the original's format and upright size.
    public static func prepare(_ bytes: UnsafeRawBufferPointer, size: Int = 224, into destination: UnsafeMutablePointer<Float>,
                               limits: ImageLimits = .default) throws -> ImageInfo {
        precondition(size > 0, "model input size must be positive")
        let (image, info) = try ImageDecoder.decode(bytes, minimumSide: size, limits: limits)
        ModelResizer.resizeNormalised(image, width: size, height: size, into: destination)
        return info
    }

    public static func prepare(_ bytes: [UInt8], size: Int = 224, into destination: UnsafeMutablePointer<Float>,
                               limits: ImageLimits = .default) throws -> ImageInfo {
        try bytes.withUnsafeBytes { try prepare($0, size: size, into: destination, limits: limits) }
    }

    /// Reads the file (checking its size against the limit before reading), then prepares it.
    /// I/O failures (missing file, no permission) throw `POSIXError`; image problems throw `ImageError`.
    public static func prepare(fileAt path: String, size: Int = 224, into destination: UnsafeMutablePointer<Float>,
                               limits: ImageLimits = .default) throws -> ImageInfo {
        let bytes = try ImageFile.read(path, limit: limits.maxEncodedBytes)
        return try prepare(bytes, size: size, into: destination, limits: limits)
    }
}
