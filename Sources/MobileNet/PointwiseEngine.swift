/// How the 1x1 (pointwise) convolutions, nearly all of MobileNet's arithmetic, are computed.
public enum PointwiseEngine: String, Sendable, CaseIterable {
    /// OpenBLAS `sgemm` followed by a bias + ReLU6 pass. The default: the project's stack puts the
    /// convolutions on OpenBLAS.
    case blas
    /// `NativePointwise`: register-tiled Swift SIMD over weights packed once at load time, with
    /// bias and ReLU6 fused into the tile's store. Opt-in; measured ~15% faster than sgemm here.
    case native
}
