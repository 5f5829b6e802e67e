/// One search result: a product and its cosine similarity to the query.
public struct Match: Sendable, Equatable {
    /// The product id (relative path without extension, e.g. `shoes/red`).
    public let id: String
    /// The image's path: the images folder as given when the catalog was opened, joined with the
    /// file's relative path.
    public let path: String
    /// The file name with its extension, e.g. `red.jpg`.
    public let filename: String
    /// Cosine similarity in [-1, 1].
    public let score: Float

    public init(id: String, path: String, filename: String, score: Float) {
        self.id = id
        self.path = path
        self.filename = filename
        self.score = score
    }
}
