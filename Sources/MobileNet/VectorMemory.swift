/// Unaligned SIMD loads and stores on float pointers, the building blocks of the hot loops.
extension UnsafePointer where Pointee == Float {
    @inline(__always) func vector<V: SIMD>(_: V.Type = V.self) -> V where V.Scalar == Float {
        UnsafeRawPointer(self).loadUnaligned(as: V.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func vector<V: SIMD>(_: V.Type = V.self) -> V where V.Scalar == Float {
        UnsafeRawPointer(self).loadUnaligned(as: V.self)
    }

    /// Stores `value` at any float alignment. (A fixed-size copy lowers to one vector store; the
    /// `storeBytes(of:as:)` back-deployment shim is sometimes left as a call in large kernels.)
    @inline(__always) func store<V: SIMD>(_ value: V) where V.Scalar == Float {
        withUnsafeBytes(of: value) { bytes in
            UnsafeMutableRawPointer(self).copyMemory(from: bytes.baseAddress!, byteCount: MemoryLayout<V>.size)
        }
    }
}

/// The float vectors the kernels are written for. ReLU6 is spelled out per concrete type: lane
/// selects on a concrete vector compile to a compare and a blend each, while the generic
/// `pointwiseMin`/`pointwiseMax` (or the same code on a generic vector) is not reliably inlined.
protocol FloatVector: SIMD where Scalar == Float {
    /// Clamps every lane to [0, 6].
    func relu6() -> Self
}

extension SIMD16: FloatVector where Scalar == Float {
    @inline(__always) func relu6() -> Self {
        let zero = Self(repeating: 0), six = Self(repeating: 6)
        return replacing(with: zero, where: self .< zero).replacing(with: six, where: self .> six)
    }
}

extension SIMD8: FloatVector where Scalar == Float {
    @inline(__always) func relu6() -> Self {
        let zero = Self(repeating: 0), six = Self(repeating: 6)
        return replacing(with: zero, where: self .< zero).replacing(with: six, where: self .> six)
    }
}
