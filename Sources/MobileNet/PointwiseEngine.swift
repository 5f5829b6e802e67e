/// How the 1x1 (pointwise) convolutions, nearly all of MobileNet's arithmetic, are computed.
public enum PointwiseEngine: String, Sendable, CaseIterable {
    /// OpenBLAS `sgemm` followed by a bias + ReLU6 pass. Opt-in: on the 2-core AVX-512 machine it
    /// was measured on, it is 25-30% slower than `.native` (`similarity bench model --engine blas`).
    case blas
    /// `NativePointwise`: register-tiled Swift SIMD over weights packed once at load time, with
    /// bias and ReLU6 fused into the tile's store and all-zero input channels skipped. The default.
    case native
}
