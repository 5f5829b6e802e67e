import FoundationEssentials

/// Writes `products_fields.csv`: one row per indexed product (RFC 4180 quoting), derived from the
/// feature file's rows and the scan's file stamps.
enum FieldsFile {
    static let header = ["id", "filename", "path", "md5", "size", "width", "height", "modified", "indexed_at"]

    static func write(_ products: [IndexedProduct], stamps: [String: FileStamp], imagesRoot: String, to path: String) throws {
        var text = header.joined(separator: ",") + "\r\n"
        for product in products {
            let stamp = stamps[product.relativePath]
            let fields = [
                product.id,
                product.relativePath.split(separator: "/").last.map(String.init) ?? product.relativePath,
                imagesRoot + "/" + product.relativePath,
                product.md5,
                stamp.map { String($0.size) } ?? "",
                String(product.width),
                String(product.height),
                stamp.map { Timestamp.string($0.modified) } ?? "",
                product.indexedAt,
            ]
            text += fields.map(quoted).joined(separator: ",") + "\r\n"
        }
        try AtomicFile.write(Data(text.utf8), to: path)
    }

    /// Quotes a field when it holds a comma, quote, line break or leading/trailing space.
    static func quoted(_ field: String) -> String {
        let needsQuotes = field.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || field.first == " " || field.last == " "
        guard needsQuotes else { return field }
        return "\"" + field.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
