/// Why one request parameter was rejected, in the shape FastAPI reports validation errors
/// (`{"type", "loc", "msg", "input"}`), so clients that parsed the original's 422s still can.
public struct ParameterViolation: Sendable, Equatable, Codable {
    /// A machine-readable kind, as pydantic names it: `int_parsing`, `less_than_equal`, ...
    public let type: String
    /// Where the parameter lives and its name, e.g. `["query", "top_k"]`.
    public let loc: [String]
    /// What is wrong, for a person.
    public let msg: String
    /// The value as received.
    public let input: String

    public init(type: String, loc: [String], msg: String, input: String) {
        self.type = type
        self.loc = loc
        self.msg = msg
        self.input = input
    }

    /// The parameter's name (the last element of `loc`).
    public var parameter: String { loc.last ?? "" }
}
