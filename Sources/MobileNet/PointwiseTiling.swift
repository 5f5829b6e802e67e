import CBLAS

/// How the pointwise layers' weights are cut into panels of output channels, which sets the shape of
/// the register tile `NativePointwise` accumulates: the widest tile whose accumulators fit the CPU's
/// vector registers without spilling. Results are bit for bit the same either way.
public enum PointwiseTiling: String, Sendable, CaseIterable {
    /// 16-channel panels, accumulated as 4 then 3 pixels × 16 channels: fits the 16 registers of AVX2.
    case panels16
    /// 32-channel panels, 7 pixels × 32 channels at once: needs the 32 registers of AVX-512.
    case panels32

    /// Output channels per panel.
    var panelWidth: Int { self == .panels32 ? 32 : 16 }

    /// `.panels32` on CPUs with AVX-512, `.panels16` elsewhere: there the wide tile spills its
    /// accumulators to the stack (`similarity bench model` on a 2-core Zen 3: 19.8 ms a single image,
    /// against 15.2 ms with `--engine blas` and 14.8-15.8 ms with panels16).
    public static let forThisCPU: PointwiseTiling = cpu_supports_avx512() ? .panels32 : .panels16
}
