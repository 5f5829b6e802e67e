/// Upper bounds that an input image must respect, checked before any large allocation.
///
/// The defaults suit product photos: a 25 MB upload and a 50 MP image (about 8700x5800) are far above
/// what a phone or a catalog produces, yet keep the worst case to a few hundred MB of working memory.
public struct ImageLimits: Sendable {
    /// The largest accepted encoded file, in bytes.
    public var maxEncodedBytes: Int
    /// The largest accepted `width * height` as stated by the file's header.
    public var maxPixels: Int

    public init(maxEncodedBytes: Int = 25 * 1024 * 1024, maxPixels: Int = 50_000_000) {
        self.maxEncodedBytes = maxEncodedBytes
        self.maxPixels = maxPixels
    }

    /// 25 MB and 50 megapixels.
    public static let `default` = ImageLimits()

    /// Throws `fileTooLarge` when `count` encoded bytes exceed the limit.
    func checkEncoded(_ count: Int) throws(ImageError) {
        if count > maxEncodedBytes { throw .fileTooLarge(bytes: count, limit: maxEncodedBytes) }
    }

    /// Throws `tooLarge` when a header's dimensions exceed the pixel limit.
    func checkPixels(width: Int, height: Int) throws(ImageError) {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maxPixels {
            throw .tooLarge(width: width, height: height, limit: maxPixels)
        }
    }
}
