import Catalog
import Imaging

extension APIError {
    /// The answer to an upload the image decoder rejected: never a 500 for bad input.
    init(imageError error: any Error) {
        guard let error = error as? ImageError else {
            self.init(status: 500, message: "The image could not be processed.", detail: "\(error)")
            return
        }
        switch error {
        case .empty:
            self.init(status: 400, message: "The uploaded file is empty.", detail: error.description)
        case .unsupportedFormat:
            self.init(status: 415, message: "The upload is not a supported image: send a JPEG or PNG.",
                      detail: error.description)
        case .corrupt:
            self.init(status: 400, message: "The image is damaged or incomplete and could not be decoded.",
                      detail: error.description)
        case .tooLarge, .fileTooLarge:
            self.init(status: 413, message: "The image is too large.", detail: error.description)
        }
    }

    /// The answer to a failed index run.
    init(catalogError error: any Error) {
        switch error as? CatalogError {
        case .alreadyRunning?:
            self = .indexing
        case .invalidBatchSize?:
            self.init(status: 422, message: "Invalid query parameter 'batch_size'.", detail: "\(error)")
        default:
            self.init(status: 500, message: "Preprocessing failed.", detail: "\(error)")
        }
    }
}
