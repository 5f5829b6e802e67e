/// LLVM's prefetch intrinsic (Swift has no spelling for it): a hint to start loading a cache line.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cache: Int32)

enum Prefetch {
    /// Asks for every cache line of `bytes` bytes from `address`, for reading soon. Rows read at random
    /// cost a memory latency each; started a row or two ahead, those latencies overlap.
    @inline(__always)
    static func read(_ address: UnsafeRawPointer, bytes: Int) {
        var offset = 0
        while offset < bytes {
            llvmPrefetch(address + offset, 0, 3, 1)
            offset += 64
        }
    }
}
