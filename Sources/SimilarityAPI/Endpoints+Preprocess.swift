import Catalog
import FoundationEssentials
import HTTP

extension Endpoints {
    /// `POST /api/v1/preprocess?force_full=&batch_size=`: runs an index run and answers with its summary.
    func preprocess(_ request: Request) throws(APIError) -> Response {
        var query = QueryReader(request.query)
        let forceFull = query.bool("force_full", default: false)
        let batchSize = query.int("batch_size", default: 32, in: 1...128)
        try query.validate()

        let summary: IndexSummary
        do {
            summary = try catalog.preprocess(forceFull: forceFull, batchSize: batchSize, progress: nil)
        } catch {
            throw APIError(catalogError: error)
        }
        ProcessMetrics.returnFreedMemory()
        return Response.sortedJSON(PreprocessResponse(
            success: true, totalImages: summary.totalImages, newImages: summary.newImages,
            removedImages: summary.removedImages, failedImages: summary.failedImages,
            processingTime: (summary.seconds * 100).rounded() / 100, message: summary.message,
            modifiedImages: summary.modifiedImages, unchangedImages: summary.unchangedImages))
    }

    /// `GET /api/v1/preprocess/status`.
    func preprocessStatus(_ request: Request) -> Response {
        let status = catalog.status()
        return Response.sortedJSON(PreprocessStatusResponse(
            totalImages: status.totalImages, processedImages: status.processedImages,
            pendingImages: status.pendingImages, removedImages: status.removedImages,
            featureFileExists: status.featureFileExists, metadataFileExists: status.metadataFileExists,
            lastUpdate: status.lastUpdate.map(Self.isoTimestamp), failedImages: status.failedImages,
            isRunning: status.isRunning))
    }

    /// `2025-10-16T14:30:00+00:00`: RFC 3339, readable by Python's `datetime.fromisoformat` on any version.
    static func isoTimestamp(_ date: Date) -> String {
        let text = date.formatted(Date.ISO8601FormatStyle())
        return text.hasSuffix("Z") ? text.dropLast() + "+00:00" : text
    }
}
