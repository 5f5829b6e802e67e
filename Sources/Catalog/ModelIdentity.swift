/// What an index's vectors were computed with; an index is reused only by the same model.
public struct ModelIdentity: Sendable, Equatable, CustomStringConvertible {
    public var alpha: Double
    public var inputSize: Int
    public var dimension: Int
    /// MD5 of the weight file's bytes.
    public var weightsMD5: String

    public init(alpha: Double, inputSize: Int, dimension: Int, weightsMD5: String) {
        self.alpha = alpha
        self.inputSize = inputSize
        self.dimension = dimension
        self.weightsMD5 = weightsMD5
    }

    public var description: String {
        "MobileNet alpha \(alpha), \(inputSize)x\(inputSize), \(dimension)-d, weights md5 \(weightsMD5)"
    }
}
