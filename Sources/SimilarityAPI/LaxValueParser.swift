/// Parses query-string values the way the original FastAPI service (pydantic 2, lax mode) does, so
/// clients that worked against it keep working: `force_full=yes`, `top_k=+10`, `batch_size=1_0`,
/// `threshold=.85` are all accepted, `top_k=1.5` and `force_full=2` are not.
public enum LaxValueParser {
    /// `true/false`, `1/0`, `yes/no`, `on/off`, `t/f`, `y/n`, any letter case, no surrounding spaces.
    public static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "on", "t", "true", "y", "yes": return true
        case "0", "off", "f", "false", "n", "no": return false
        default: return nil
        }
    }

    /// A decimal integer: optional spaces and sign, digits with single `_` separators, and an optional
    /// fraction made only of zeros (`"3.0"` is 3, `"3.5"` is not an integer). Integers beyond `Int`
    /// come back as `Int.max`/`Int.min`, so range checks reject them as too large rather than unparsable.
    public static func int(_ text: String) -> Int? {
        var body = Substring(text.trimmingSpaces)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        if let dot = body.firstIndex(of: ".") {
            guard let zeros = digitsWithSeparators(body[body.index(after: dot)...]),
                  zeros.allSatisfy({ $0 == "0" }) else { return nil }
            body = body[..<dot]
        }
        guard let digits = digitsWithSeparators(body) else { return nil }
        // Too many digits for Int: still an integer, just out of any range we accept.
        guard let magnitude = Int(digits) else { return negative ? .min : .max }
        return negative ? -magnitude : magnitude
    }

    /// A decimal number as Python's `float()` reads it: optional spaces and sign, digits with `_`
    /// separators, an optional fraction and exponent, or `inf`/`infinity`/`nan`. No hexadecimal.
    public static func double(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces
        var body = Substring(trimmed)
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "inf", "infinity": return sign == "-" ? -.infinity : .infinity
        case "nan": return .nan
        default: break
        }
        var mantissa = body
        var exponent: Substring = ""
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = body[..<e]
            exponent = body[body.index(after: e)...]
        }
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : nil
        guard let wholeDigits = whole.isEmpty ? "" : digitsWithSeparators(whole) else { return nil }
        var fractionDigits = ""
        if let fraction, !fraction.isEmpty {
            guard let digits = digitsWithSeparators(fraction) else { return nil }
            fractionDigits = digits
        }
        guard !(wholeDigits.isEmpty && fractionDigits.isEmpty) else { return nil }
        var text = sign + (wholeDigits.isEmpty ? "0" : wholeDigits) + "." + (fractionDigits.isEmpty ? "0" : fractionDigits)
        if !exponent.isEmpty || mantissa.endIndex != body.endIndex {
            var exponentBody = exponent
            var exponentSign = ""
            if let first = exponentBody.first, first == "+" || first == "-" {
                exponentSign = String(first)
                exponentBody = exponentBody.dropFirst()
            }
            guard let exponentDigits = digitsWithSeparators(exponentBody) else { return nil }
            text += "e" + exponentSign + exponentDigits
        }
        return Double(text)
    }

    /// ASCII digits, with single underscores allowed only between two digits; the digits alone.
    private static func digitsWithSeparators(_ text: Substring) -> String? {
        guard let first = text.first, let last = text.last, first.isASCIIDigit, last.isASCIIDigit else { return nil }
        var digits = ""
        var previousWasSeparator = false
        for character in text {
            if character == "_" {
                if previousWasSeparator { return nil }
                previousWasSeparator = true
            } else if character.isASCIIDigit {
                digits.append(character)
                previousWasSeparator = false
            } else {
                return nil
            }
        }
        return digits
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isWholeNumber }
}

extension String {
    /// The text without leading and trailing ASCII whitespace (what Python's `str.strip()` removes
    /// from a query value in practice).
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
