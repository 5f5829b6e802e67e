import Catalog
import FoundationEssentials
import HTTP
#if canImport(Glibc)
import Glibc
#endif

extension Endpoints {
    /// `GET /health`: answers as soon as the port is open (the model is loaded before).
    func health(_ request: Request) -> Response {
        let count = catalog.store.count
        return Response.sortedJSON(HealthResponse(status: "healthy", modelLoaded: true, featuresLoaded: count > 0,
                                            totalProducts: count))
    }

    /// `GET /stats`: the original's figures plus model, process memory, uptime and traffic.
    func stats(_ request: Request) -> Response {
        let store = catalog.store
        let batches = embedder.totals
        let mebibyte = 1024.0 * 1024.0
        let featureFile = CatalogPaths(imagesDirectory: configuration.imagesDirectory,
                                       generatedDirectory: configuration.generatedDirectory).featuresFile
        var info = stat()
        let fileBytes = stat(featureFile, &info) == 0 ? Int(info.st_size) : 0
        return Response.sortedJSON(StatsResponse(
            totalProducts: store.count,
            featureDimension: store.count > 0 ? store.dimension : modelInfo.featureDimension,
            memoryUsageMb: Self.rounded(Double(store.memoryBytes) / mebibyte),
            featureFileSizeMb: Self.rounded(Double(fileBytes) / mebibyte),
            model: modelInfo,
            processRssMb: Self.rounded(Double(ProcessMetrics.residentBytes()) / mebibyte),
            uptimeSeconds: Self.rounded(ProcessMetrics.monotonicSeconds() - startedAt),
            requestsServed: requestsServed.load(ordering: .relaxed),
            isIndexing: catalog.isIndexing,
            meanQueryBatch: Self.rounded(Double(batches.images) / Double(max(1, batches.passes)))))
    }

    private static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
