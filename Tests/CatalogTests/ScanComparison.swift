import Catalog
import Testing

/// `store.search` gives the float32 scan's products in its order; two may swap only where their
/// scores differ by less than `swapTolerance` (float rounding), and every score is within 1e-5.
func expectSearchMatchesScan(_ store: FeatureStore, _ query: [Float], topK: Int, threshold: Float,
                             swapTolerance: Float, sourceLocation: SourceLocation = #_sourceLocation) {
    let fast = store.search(query, topK: topK, threshold: threshold)
    let full = store.exhaustiveSearch(query, topK: topK, threshold: threshold)
    #expect(fast.count == full.count, sourceLocation: sourceLocation)
    for (a, b) in zip(fast, full) {
        #expect(a.id == b.id || abs(a.score - b.score) < swapTolerance, sourceLocation: sourceLocation)
        #expect(abs(a.score - b.score) < 1e-5, sourceLocation: sourceLocation)
    }
}
