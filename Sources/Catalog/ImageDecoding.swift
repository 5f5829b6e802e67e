import Imaging

/// The bridge from catalog files to model input, through the Imaging module.
enum ImageDecoding {
    static func fileDecoder(limits: ImageLimits) -> ImageFileDecoder {
        { path, size, destination in
            let info = try ModelInput.prepare(fileAt: path, size: size, into: destination, limits: limits)
            return (info.width, info.height)
        }
    }
}
