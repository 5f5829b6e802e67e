// The SimilarityAPI module; see ARCHITECTURE.md.
