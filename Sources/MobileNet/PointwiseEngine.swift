/// How the 1x1 (pointwise) convolutions, nearly all of MobileNet's arithmetic, are computed.
public enum PointwiseEngine: String, Sendable, CaseIterable {
    /// `NativePointwise`: register-tiled Swift SIMD over weights packed once at load time, with
    /// bias and ReLU6 fused into the tile's store. The default: faster than sgemm on these shapes.
    case native
    /// OpenBLAS `sgemm` followed by a bias + ReLU6 pass: the reference implementation.
    case blas
}
