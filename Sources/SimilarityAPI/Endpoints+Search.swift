import Catalog
import HTTP
import Imaging

extension Endpoints {
    /// `POST /api/v1/find-similar?threshold=&top_k=` with the image in multipart field `file`.
    func findSimilar(_ request: Request) throws(APIError) -> Response {
        let started = ProcessMetrics.monotonicSeconds()
        var query = QueryReader(request.query)
        let threshold = query.double("threshold", default: configuration.defaultThreshold, in: 0...1)
        let topK = query.int("top_k", default: 10, in: 1...100)
        try query.validate()

        let image = try uploadedFile(request)
        let store = catalog.store
        guard store.count > 0 else { throw APIError.notIndexed }
        let features: [Float]
        do {
            features = try embedder.embed(imageBytes: image)
        } catch {
            throw APIError(imageError: error)
        }
        let matches = store.search(features, topK: topK, threshold: Float(threshold)).map {
            MatchResponse(imageId: $0.id, imagePath: $0.path, filename: $0.filename, similarityScore: $0.score)
        }
        let milliseconds = (ProcessMetrics.monotonicSeconds() - started) * 1000
        return Response.sortedJSON(SimilarityResponse(
            success: true, matches: matches, totalCompared: store.count,
            processingTimeMs: (milliseconds * 100).rounded() / 100, thresholdUsed: threshold))
    }

    /// The bytes of multipart field `file`, whatever content type the part declares.
    private func uploadedFile(_ request: Request) throws(APIError) -> [UInt8] {
        guard let contentType = request.headers["Content-Type"],
              contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw APIError(status: 400, message: "Send the image as multipart/form-data in a field named 'file'.",
                           detail: "Content-Type was \(request.headers["Content-Type"] ?? "missing"); "
                               + "for example: curl -F \"file=@image.jpg\" ...")
        }
        let form: MultipartFormData
        do {
            let limit = configuration.maxUploadBytes
            form = try MultipartFormData(body: request.body, contentType: contentType,
                                         limits: MultipartLimits(maxFieldBytes: limit, maxFileBytes: limit))
        } catch let error as HTTPError {
            throw APIError(status: error.status, message: error.status == 400
                               ? "The multipart/form-data body is malformed." : HTTPStatus.reason(error.status),
                           detail: error.message)
        } catch {
            throw APIError(status: 400, message: "The multipart/form-data body is malformed.", detail: "\(error)")
        }
        guard let part = form.part(named: "file") else {
            throw APIError(status: 400, message: "Field 'file' is required.",
                           detail: "The multipart body has no part named 'file'; send the image as file=@image.jpg.")
        }
        guard !part.body.isEmpty else {
            throw APIError(status: 400, message: "The uploaded file is empty.", detail: "Field 'file' has no bytes.")
        }
        return part.body
    }
}
