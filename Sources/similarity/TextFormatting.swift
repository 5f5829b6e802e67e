import Glibc
import HTTP

/// printf-style formatting of numbers (`%.2f`, `%5d`, ...) without Foundation, up to 511 bytes of
/// output (the CLI formats short lines). Pass strings by interpolation, not as arguments.
func formatted(_ format: String, _ arguments: CVarArg...) -> String {
    withVaList(arguments) { list in
        var buffer = [CChar](repeating: 0, count: 512)
        let length = Int(vsnprintf(&buffer, buffer.count, format, list))
        return String(decoding: buffer.prefix(min(max(0, length), buffer.count - 1)).map { UInt8(bitPattern: $0) },
                      as: UTF8.self)
    }
}

/// JSON text of a value built from dictionaries `[String: Any]` (keys sorted), arrays, strings,
/// numbers, booleans and `nil`s, for the CLI's `--json` output.
func sortedJSON(_ value: Any?) -> String {
    switch value {
    case nil: return "null"
    case let value as Bool: return value ? "true" : "false"
    case let value as Int: return String(value)
    case let value as Double: return value.isFinite ? "\(value)" : "null"
    case let value as Float: return sortedJSON(Double(value))
    case let value as String: return JSONText.quoted(value)
    case let value as [String: Any]:
        return "{" + value.keys.sorted().map { JSONText.quoted($0) + ":" + sortedJSON(value[$0]) }.joined(separator: ",") + "}"
    case let value as [Any]: return "[" + value.map { sortedJSON($0) }.joined(separator: ",") + "]"
    default: return JSONText.quoted("\(value!)")
    }
}

extension String {
    /// The string followed by spaces up to `width` characters.
    func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
