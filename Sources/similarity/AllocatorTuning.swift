import CAllocator
import FoundationEssentials

/// glibc's allocator settings for the long-running server.
enum AllocatorTuning {
    /// Serves every allocation of 128 KB or more (decoded uploads, model inputs, request bodies) from
    /// its own mapping, returned to the system when freed. By default glibc raises that threshold to
    /// the largest block freed so far, after which each request thread's arena keeps about 1.2 MB
    /// for good (`similarity bench api`: RSS 76.4 MB without this, 69.6 MB with it, throughput the
    /// same). Variables the user set (`MALLOC_*_`) win.
    static func returnLargeBlocksToTheSystem() {
        let environment = ProcessInfo.processInfo.environment
        if environment["MALLOC_MMAP_THRESHOLD_"] == nil { _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024) }
        if environment["MALLOC_TRIM_THRESHOLD_"] == nil { _ = mallopt(M_TRIM_THRESHOLD, 256 * 1024) }
    }
}
