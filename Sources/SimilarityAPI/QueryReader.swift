import HTTP

/// Reads typed query parameters with `LaxValueParser`, checks their ranges and collects every
/// violation, so one 422 response can name all the bad parameters at once.
///
/// A repeated parameter takes its last value, as FastAPI does.
struct QueryReader {
    let query: QueryParameters
    private(set) var violations: [ParameterViolation] = []

    init(_ query: QueryParameters) {
        self.query = query
    }

    mutating func bool(_ name: String, default defaultValue: Bool) -> Bool {
        guard let text = query.values(name).last else { return defaultValue }
        guard let value = LaxValueParser.bool(text) else {
            reject(name, text, "bool_parsing", "Input should be a valid boolean (true/false, 1/0, yes/no, on/off)")
            return defaultValue
        }
        return value
    }

    mutating func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) -> Int {
        guard let text = query.values(name).last else { return defaultValue }
        guard let value = LaxValueParser.int(text) else {
            reject(name, text, "int_parsing", "Input should be a valid integer, unable to parse string as an integer")
            return defaultValue
        }
        guard checkRange(name, text, value, range) else { return defaultValue }
        return value
    }

    mutating func double(_ name: String, default defaultValue: Double, in range: ClosedRange<Double>) -> Double {
        guard let text = query.values(name).last else { return defaultValue }
        guard let value = LaxValueParser.double(text) else {
            reject(name, text, "float_parsing", "Input should be a valid number, unable to parse string as a number")
            return defaultValue
        }
        guard value.isFinite else {
            reject(name, text, "finite_number", "Input should be a finite number")
            return defaultValue
        }
        guard checkRange(name, text, value, range) else { return defaultValue }
        return value
    }

    private mutating func checkRange<Value: Comparable>(_ name: String, _ text: String, _ value: Value,
                                                        _ range: ClosedRange<Value>) -> Bool {
        if value < range.lowerBound {
            reject(name, text, "greater_than_equal", "Input should be greater than or equal to \(range.lowerBound)")
            return false
        }
        if value > range.upperBound {
            reject(name, text, "less_than_equal", "Input should be less than or equal to \(range.upperBound)")
            return false
        }
        return true
    }

    private mutating func reject(_ name: String, _ text: String, _ type: String, _ message: String) {
        violations.append(ParameterViolation(type: type, loc: ["query", name], msg: message, input: text))
    }

    /// Throws a 422 naming every rejected parameter, if there is one.
    func validate() throws(APIError) {
        if !violations.isEmpty { throw APIError.invalidParameters(violations) }
    }
}
