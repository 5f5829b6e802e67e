import CTurboJPEG

/// JPEG decoding with libjpeg-turbo's TurboJPEG API.
///
/// The header is read first so the pixel limit is checked before anything large is allocated, and so the
/// DCT scaling factor can be chosen: libjpeg-turbo can reconstruct 1/2, 1/4 or 1/8 of each side
/// directly from the DCT coefficients, far faster than decoding in full and shrinking afterwards.
/// Each call makes its own decompressor handle, so concurrent calls share nothing.
enum JPEGDecoder {
    /// The denominators of the scaling factors tried, smallest output first (1/8, 1/4, 1/2, 1/1).
    static let scaleDenominators = [8, 4, 2, 1]

    static func decode(_ bytes: UnsafeRawBufferPointer, minimumSide: Int, limits: ImageLimits) throws(ImageError) -> (RGBImage, ImageInfo) {
        guard let jpeg = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw .empty }
        guard let handle = tjInitDecompress() else { throw .corrupt("the JPEG decoder could not start") }
        defer { tjDestroy(handle) }

        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        if tjDecompressHeader3(handle, jpeg, UInt(bytes.count), &width, &height, &subsampling, &colorspace) != 0 {
            throw .corrupt(errorMessage(handle))
        }
        // A file holding only tables (or cut before its frame header) reports no size.
        guard width > 0, height > 0 else { throw .corrupt("the file holds no image frame") }
        try limits.checkPixels(width: Int(width), height: Int(height))
        let orientation = EXIFReader.orientation(inJPEG: bytes)
        let info = orientation.swapsSides
            ? ImageInfo(format: .jpeg, width: Int(height), height: Int(width))
            : ImageInfo(format: .jpeg, width: Int(width), height: Int(height))

        let denominator = scaleDenominator(width: Int(width), height: Int(height), minimumSide: minimumSide)
        let outWidth = scaled(Int(width), denominator), outHeight = scaled(Int(height), denominator)
        let isCMYK = colorspace == TJCS_CMYK.rawValue || colorspace == TJCS_YCCK.rawValue
        let channels = isCMYK ? 4 : 3
        let format = isCMYK ? TJPF_CMYK : TJPF_RGB
        // LIMITSCANS rejects progressive files with absurd scan counts (a known CPU-exhaustion attack).
        let flags = TJFLAG_LIMITSCANS

        var failure: ImageError?
        var pixels = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight * channels) { buffer, count in
            count = buffer.count
            let status = tjDecompress2(handle, jpeg, UInt(bytes.count), buffer.baseAddress, Int32(outWidth),
                                       Int32(outWidth * channels), Int32(outHeight), format.rawValue, flags)
            if status != 0 { failure = failureIfFatal(handle) }
            if failure != nil { buffer.initialize(repeating: 0) }
        }
        if let failure { throw failure }
        if isCMYK { pixels = rgb(fromInvertedCMYK: pixels) }
        let image = orientation.apply(to: RGBImage(width: outWidth, height: outHeight, pixels: pixels))
        return (image, info)
    }

    /// The largest denominator (smallest output) whose scaled sides both stay >= `minimumSide`.
    static func scaleDenominator(width: Int, height: Int, minimumSide: Int) -> Int {
        guard minimumSide > 0 else { return 1 }
        return scaleDenominators.first { min(scaled(width, $0), scaled(height, $0)) >= minimumSide } ?? 1
    }

    /// A side scaled by 1/denominator, rounded up as libjpeg does.
    static func scaled(_ side: Int, _ denominator: Int) -> Int { (side + denominator - 1) / denominator }

    private static func errorMessage(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown JPEG error" }
        return String(cString: text)
    }

    /// Warnings are mostly harmless (stray bytes between markers, which many cameras write), so the
    /// picture is kept; but a file that ends early is reported, as a half-grey photo is not the photo.
    private static func failureIfFatal(_ handle: tjhandle) -> ImageError? {
        let message = errorMessage(handle)
        if tjGetErrorCode(handle) == TJERR_WARNING.rawValue && !message.contains("Premature end") { return nil }
        return .corrupt(message)
    }

    /// CMYK JPEGs in the wild come from Adobe software, which stores the inks inverted (255 = no ink),
    /// so each channel is already "how much light is left": R = C' * K' / 255.
    private static func rgb(fromInvertedCMYK cmyk: [UInt8]) -> [UInt8] {
        let count = cmyk.count / 4
        return [UInt8](unsafeUninitializedCapacity: count * 3) { out, written in
            cmyk.withUnsafeBufferPointer { src in
                for p in 0..<count {
                    let k = UInt32(src[p * 4 + 3])
                    for c in 0..<3 { out[p * 3 + c] = UInt8((UInt32(src[p * 4 + c]) * k + 127) / 255) }
                }
            }
            written = count * 3
        }
    }
}
