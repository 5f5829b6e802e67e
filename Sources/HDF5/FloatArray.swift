/// An n-dimensional float array in row-major (C) order, as stored in an HDF5 dataset.
public struct FloatArray: Sendable, Equatable {
    /// Extent of every dimension; `[]` for a scalar.
    public var shape: [Int]
    /// `shape.reduce(1, *)` values, last dimension varying fastest.
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }
}
