import CBLAS

/// The OpenBLAS library the pointwise layers run on, loaded at run time with its fastest kernels.
public enum BLASRuntime {
    /// Loads OpenBLAS once; throws `MobileNetError.blasUnavailable` with the loader's reason.
    public static func load() throws {
        var message = [CChar](repeating: 0, count: 512)
        guard blas_load(&message, Int32(message.count)) else {
            throw MobileNetError.blasUnavailable(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    /// The kernel family OpenBLAS chose, e.g. `SkylakeX`.
    public static var coreName: String { String(cString: blas_core_name()) }

    /// Threads one BLAS call may use.
    public static var threads: Int { Int(blas_threads()) }
}
