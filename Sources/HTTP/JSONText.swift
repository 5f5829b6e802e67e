/// Minimal JSON text building for small bodies (no Foundation encoder on hot paths).
public enum JSONText {
    /// `s` as a JSON string literal, quotes included.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The error body shape shared with the API: `{"success": false, "error": "...", "detail": ...}`.
    static func errorBody(error: String, detail: String?) -> [UInt8] {
        let detailText = detail.map(quoted) ?? "null"
        return Array("{\"success\":false,\"error\":\(quoted(error)),\"detail\":\(detailText)}".utf8)
    }
}
