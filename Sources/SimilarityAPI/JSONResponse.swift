import FoundationEssentials
import HTTP

extension Response {
    /// `value` as JSON with its keys sorted, so every answer reads the same way from run to run.
    static func sortedJSON(_ value: some Encodable, status: Int = 200) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Response.json(raw: Array(try encoder.encode(value)), status: status)
        } catch {
            return Response.error(status: 500, message: "Internal error.", detail: "The answer could not be encoded: \(error)")
        }
    }
}
