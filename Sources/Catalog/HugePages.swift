import Glibc

/// Large arrays read at random rows (the compact index's tiers) cost a TLB miss per row with 4 KiB
/// pages; asking the kernel for 2 MiB pages before the memory is first touched avoids most of them.
/// Where transparent huge pages are off, the request is ignored and nothing else changes.
enum HugePages {
    static let size = 2 << 20

    /// An array of `count` plain values left as the allocator gives them (the caller writes every
    /// element before reading any), in memory advised to use huge pages. Not filling it here lets
    /// the writers fault its pages in, on their own threads.
    static func uninitialized<T: BitwiseCopyable>(_ type: T.Type, count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { advise(UnsafeMutableRawPointer(base), bytes: count * MemoryLayout<T>.stride) }
            initialized = count
        }
    }

    private static func advise(_ base: UnsafeMutableRawPointer, bytes: Int) {
        let address = UInt(bitPattern: base), mask = UInt(size - 1)
        let start = (address + mask) & ~mask, end = (address + UInt(bytes)) & ~mask
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, Int(end - start), MADV_HUGEPAGE)
    }
}
