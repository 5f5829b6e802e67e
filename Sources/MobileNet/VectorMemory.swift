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

    @inline(__always) func store<V: SIMD>(_ value: V) where V.Scalar == Float {
        UnsafeMutableRawPointer(self).storeBytes(of: value, as: V.self)
    }
}

extension SIMD where Scalar == Float {
    /// ReLU6: clamps every lane to [0, 6].
    @inline(__always) func relu6() -> Self {
        pointwiseMin(pointwiseMax(self, Self(repeating: 0)), Self(repeating: 6))
    }
}
